{# An area's (or group's) figure against a comparator's value, by Fingertips' rule
   "confidence interval overlapping reference value" (statistical_methods.md): similar when
   the comparator's value lies inside the interval [lower, upper] (limits included); otherwise
   higher or lower, which polarity turns into better or worse; not_compared without an
   interval or a comparator value. Limits and comparator are compared to 9 decimal places, so
   float noise in a derived value cannot move a comparator across a limit. #}
{% macro compare_with(comparator, lower, upper, polarity) -%}
    case
        when {{ lower }} is null or {{ upper }} is null or {{ comparator }} is null
            then 'not_compared'
        when round({{ comparator }}, 9) between round({{ lower }}, 9) and round({{ upper }}, 9)
            then 'similar'
        when round({{ comparator }}, 9) < round({{ lower }}, 9)
            then case {{ polarity }}
                when 'higher_is_better' then 'better'
                when 'lower_is_better' then 'worse'
                else 'higher'
            end
        else case {{ polarity }}
            when 'higher_is_better' then 'worse'
            when 'lower_is_better' then 'better'
            else 'lower'
        end
    end
{%- endmacro %}
