-- The released CAA publication: the latest published period of each area and indicator, with
-- comparators, rank, quartile, direction and target all computed from publishable values only.
{{ config(alias='caa_area_performance') }}
{{ area_performance(
    area_values=ref('pub_fct_indicator_values'),
    ranked=ref('int_publishable_values__ranked'),
    trend=ref('int_publishable_values__trend'),
    group_values=ref('pub_fct_group_values'),
    targets=ref('pub_fct_laa_target_progress')
) }}
