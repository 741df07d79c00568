-- England, region and MAA values from the publishable area values only.
{{ config(alias='fct_group_values') }}
{{ group_values(ref('int_values__publishable')) }}
