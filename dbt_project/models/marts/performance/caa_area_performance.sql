-- The CAA publication mart over the current values of every area (whatever their status).
-- The logic and its rules: macros/performance/area_performance.sql. The released version, over
-- publishable values only, is models/publication/pub_caa_area_performance.sql.
{{ area_performance(
    area_values=ref('fct_indicator_values'),
    ranked=ref('int_area_values__ranked'),
    trend=ref('int_area_values__trend'),
    group_values=ref('fct_group_values'),
    targets=ref('fct_laa_target_progress')
) }}
