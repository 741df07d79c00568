-- Direction of travel against the previous publishable value; the rules: macros/performance/area_values_trend.sql
{{ area_values_trend(ref('int_values__publishable')) }}
