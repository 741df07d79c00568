-- Direction of travel of every current area value; the rules: macros/performance/area_values_trend.sql
{{ area_values_trend(ref('int_values__current')) }}
