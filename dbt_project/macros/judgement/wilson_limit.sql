{# The Wilson score interval's limit of a proportion O / n (statistical_methods.md,
   "Proportions"): side -1 gives the lower limit, +1 the upper. The result is a proportion in
   [0, 1]: clamped there only against float noise at O = 0 and O = n, where the formula is
   exactly 0 and 1. Multiply by the indicator's multiplier for the value's unit. #}
{% macro wilson_limit(observed, denominator, z, side) -%}
    least(1.0, greatest(0.0,
        (2 * {{ observed }} + {{ z }} * {{ z }}
    {{ '-' if side < 0 else '+' }} {{ z }} * sqrt(
                {{ z }} * {{ z }}
                + 4 * {{ observed }} * (1 - {{ observed }} / {{ denominator }})
            ))
        / (2 * ({{ denominator }} + {{ z }} * {{ z }}))
    ))
{%- endmacro %}
