-- noqa: disable=LT02
-- (the Jinja control lines below are indented as the logic nests, not as SQL)
{#
    Incremental models rebuild only the indicators this build recomputes
    (int_load_changes, docs/architecture.md "What a load recomputes"). On an incremental run:
      where_changed_indicators()   a filter for the model's inputs: `where ni_code in (...)`,
      and_changed_indicators()     or `and ni_code in (...)` after a condition of its own;
      delete_changed_indicators()  the pre-hook that deletes those indicators' rows from the
                                   model's table before the new rows are appended.
    The indicators are read from int_load_changes when the model runs and written into the
    SQL as a list of literals (or `false` for none): DuckDB pushes a constant list through
    the window functions of the views the models read (ranks, directions of travel), which it
    cannot do with a subquery. On a first or full-refresh run all three render nothing, and
    the model is built whole. A model using them names int_load_changes in a
    `-- depends_on:` comment, since dbt parses with is_incremental() false and would not see
    the ref.
#}
{% macro changed_indicators_in(column) -%}
    {%- set changed = run_query(
        'select ni_code from ' ~ ref('int_load_changes') ~ ' order by ni_code'
    ).columns[0].values() -%}
    {%- if changed | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in (
            {%- for ni_code in changed -%}
                '{{ ni_code | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}

{% macro where_changed_indicators(column='ni_code') -%}
    {%- if execute and is_incremental() -%}
        where {{ changed_indicators_in(column) }}
    {%- endif -%}
{%- endmacro %}

{% macro and_changed_indicators(column='ni_code') -%}
    {%- if execute and is_incremental() -%}
        and {{ changed_indicators_in(column) }}
    {%- endif -%}
{%- endmacro %}

{% macro delete_changed_indicators() -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where {{ changed_indicators_in('ni_code') }}
    {%- endif -%}
{%- endmacro %}
