-- noqa: disable=LT02
-- (the Jinja control lines below are indented as the logic nests, not as SQL)
{#
    The embargo date as a SQL date expression. A load records its embargo date in
    ingest.load_settings before dbt runs, and the models read the last load's from there (not
    from a dbt var: a var that changes every day would make dbt parse the whole project again
    on every load). The `publish_as_of` var (YYYY-MM-DD) still overrides it for a bare
    `dbt build`; with neither, the day the dbt run started (UTC). A var that is not a date
    fails the run.
#}
{% macro publish_as_of() -%}
    {%- set as_of = var('publish_as_of', none) -%}
    {%- if as_of is not none -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', as_of | string) -%}
            {{ exceptions.raise_compiler_error(
                "publish_as_of must be a date YYYY-MM-DD, not " ~ as_of
            ) }}
        {%- endif -%}
        date '{{ as_of }}'
    {%- else -%}
        coalesce(
            (
                select load_settings.publish_as_of
                from {{ source('ingest', 'load_settings') }} as load_settings
                order by load_settings.load_seq desc
                limit 1
            ),
            date '{{ run_started_at.strftime("%Y-%m-%d") }}'
        )
    {%- endif -%}
{%- endmacro %}
