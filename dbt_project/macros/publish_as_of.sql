{#
    The embargo date as a SQL date literal: the `publish_as_of` var (YYYY-MM-DD) when given,
    else the day the dbt run started (UTC). A value that is not a date fails the run.
#}
{% macro publish_as_of() -%}
    {%- set as_of = var('publish_as_of', none) or run_started_at.strftime('%Y-%m-%d') -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', as_of | string) -%}
        {{ exceptions.raise_compiler_error(
            "publish_as_of must be a date YYYY-MM-DD, not " ~ as_of
        ) }}
    {%- endif -%}
    date '{{ as_of }}'
{%- endmacro %}
