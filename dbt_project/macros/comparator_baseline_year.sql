{#
    The reporting year of an area's contextual profile for the statistical neighbours
    (docs/comparators.md): 2008-09, the framework's first year, or the area's own first year
    (valid_from_period) when it was created later. One rule for int_comparator_baseline and
    for int_load_changes, which recomputes every indicator when a value of that year changes.
#}
{% macro comparator_baseline_year(valid_from_period) -%}
    case
        when {{ valid_from_period }} > '2008-09' then {{ valid_from_period }}
        else '2008-09'
    end
{%- endmacro %}
