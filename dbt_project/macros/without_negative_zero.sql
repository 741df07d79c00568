{#
    `expression` (a double) with a negative zero written as 0.0; every other value, null
    included, is unchanged. -0.0 = 0 in SQL, so no comparison sees a difference; only its
    text ("-0.0") and its bits do.
    Used where the release has always shown 0.0 for a value returned as -0: the released area
    values (publication.fct_indicator_values and the value and previous_value of
    publication.caa_area_performance). The old build did that by accident, through DuckDB
    rewriting row_number() = 1 into arg_max() over a struct; it is spelled out now so the
    release stays the same. publication.fct_laa_target_progress.actual_value has always kept
    -0.0; making the two alike would change released data, so it is left for a decision.
#}
{% macro without_negative_zero(expression) -%}
    case when {{ expression }} = 0 then cast(0 as double) else {{ expression }} end
{%- endmacro %}
