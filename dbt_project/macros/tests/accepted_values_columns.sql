{#
    Generic test: each column holds only its accepted values (nulls pass, as in dbt's
    accepted_values). `columns` maps a column to its list of values; numbers are compared as
    numbers, anything else as text. One test a model instead of one per column, for the same
    reason as not_null_columns (docs/quality.md): every dbt test is a query, a Dagster asset
    check and an event in every load. Fails with one row per column and unexpected value.
#}
{% test accepted_values_columns(model, columns) %}

with unexpected as (
    {% for column, values in columns.items() %}
        select
            '{{ column }}' as column_name,
            cast({{ column }} as varchar) as unexpected_value,
            count(*) as unexpected_rows
        from {{ model }}
        where
            {{ column }} is not null
            and {{ column }} not in (
                {%- for value in values -%}
                    {{ value if value is number else "'" ~ value ~ "'" }}
                    {{- ", " if not loop.last }}
                {%- endfor -%}
            )
        group by {{ column }}
        {{ "union all" if not loop.last }}
    {% endfor %}
)

select
    column_name,
    unexpected_value,
    unexpected_rows
from unexpected
{% endtest %}
