{# The Wilson score interval's limit of a proportion O / n (statistical_methods.md,
   "Proportions"): side -1 gives the lower limit, +1 the upper. The result is a proportion in
   [0, 1]; at O = 0 the lower limit is exactly 0 and at O = n the upper exactly 1 (the closed
   form leaves float noise such as 8e-17 there). Multiply by the indicator's multiplier for
   the value's unit. #}
-- (layout lint off here: sqlfluff misreads the operator this macro builds with Jinja)
-- noqa: disable=LT02
{% macro wilson_limit(observed, denominator, z, side) -%}
    case
        when {{ observed }} = {{ '0' if side < 0 else denominator }}
            then {{ '0.0' if side < 0 else '1.0' }}
        else least(
            1.0,
            greatest(
                0.0,
                (
                    2 * {{ observed }} + {{ z }} * {{ z }}
                    {{ '-' if side < 0 else '+' }} {{ z }} * sqrt(
                        {{ z }} * {{ z }}
                        + 4 * {{ observed }} * (1 - {{ observed }} / {{ denominator }})
                    )
                )
                / (2 * ({{ denominator }} + {{ z }} * {{ z }}))
            )
        )
    end
{%- endmacro %}
