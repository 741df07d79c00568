{#
    For the rules test (its not_null list): `count(*) filter (where c is null) as "c"` for each column,
    comma-separated.
#}
{% macro null_counts(columns) -%}
    {%- for column in columns -%}
        count(*) filter (where {{ column }} is null) as "{{ column }}"
        {{- ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
