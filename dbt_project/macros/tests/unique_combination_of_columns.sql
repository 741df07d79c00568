{#
    Generic test: no two rows share the same values in `combination_of_columns`
    (a multi-column key). Fails with one row per duplicated key.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set key_columns = combination_of_columns | join(', ') %}

with keyed as (
    select
        {{ key_columns }},
        count(*) as occurrences
    from {{ model }}
    group by {{ key_columns }}
)

select *
from keyed
where occurrences > 1
{% endtest %}
