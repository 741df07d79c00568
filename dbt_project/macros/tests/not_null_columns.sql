{#
    Generic test: none of `columns` holds a null. One test a model instead of one per column:
    each dbt test is a query, a Dagster asset check and an event in every load, and separate
    not_null tests cost a load more in overhead than they checked (docs/quality.md). One scan
    of the model; fails with one row per column that holds nulls: the column and how many.
#}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select {{ null_counts(columns) }}
    from {{ model }}
),

by_column as (
    unpivot null_counts
    on columns(*)
    into name null_column value null_rows
)

select
    null_column,
    null_rows
from by_column
where null_rows > 0
{% endtest %}
