-- Row validation for one load (contract §1), set-based over every landed row at once.
--
-- Inputs (temp tables): landed (file_id, line_number, cells), landed_files (each file's header
-- names and column positions), ref_indicators, ref_areas, ref_periods (from data/seeds). Output:
-- temp table `checked`, one row per landed row with the parsed values and the FIRST reason
-- that applies, in the contract's order; reason_code is null for an accepted row. The parsed
-- keys (area_code, ni_code, period_id) are null when unknown or unparseable.

-- Surrounding white space (incl. no-break space and stray BOMs) trimmed; blank -> null.
create or replace temp macro niw_trim(s) as
    nullif(trim(s, ' ' || chr(9) || chr(10) || chr(13) || chr(160) || chr(65279)), '');

-- A number as the contract allows it: sign, digits (thousands separators only in groups of
-- three), decimals, exponent, then an optional '%'. Anything else (n/a, .., inf, NaN) is null.
create or replace temp macro niw_number(t) as
    case when regexp_full_match(t, '[+-]?(\d{1,3}(,\d{3})+(\.\d*)?|\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? ?%?')
        then cast(replace(rtrim(rtrim(t, '%'), ' '), ',', '') as double)
    end;

create or replace temp table checked as
with cleaned as (
    select
        l.file_id,
        l.line_number,
        l.cells,
        f.names,
        l.cells[f.pos_area_code] as area_raw,
        l.cells[f.pos_indicator] as indicator_raw,
        l.cells[f.pos_period] as period_raw,
        niw_trim(l.cells[f.pos_value]) as value_text,
        niw_trim(l.cells[f.pos_numerator]) as numerator_text,
        niw_trim(l.cells[f.pos_denominator]) as denominator_text,
        niw_trim(l.cells[f.pos_ci_lower]) as ci_lower_text,
        niw_trim(l.cells[f.pos_ci_upper]) as ci_upper_text,
        niw_trim(l.cells[f.pos_status]) as status_text,
        nullif(l.cells[f.pos_comment], '') as comment
    from landed as l
    join landed_files as f on f.file_id = l.file_id
),

-- Codes and periods repeat thousands of times: parse each distinct spelling once.
area_spellings as (
    select distinct area_raw, upper(niw_trim(area_raw)) as area_text from cleaned
),

indicator_spellings as (
    select
        indicator_raw,
        niw_trim(indicator_raw) as indicator_text,
        try_cast(regexp_extract(
            upper(niw_trim(indicator_raw)), '^(?:NI)?[ _.-]*0*([0-9]{1,3})$', 1
        ) as integer) as ni_number
    from (select distinct indicator_raw from cleaned)
),

period_spellings as (
    select
        period_raw,
        period_text,
        -- annual spellings: 2008/09, 2008-09, 2008/2009, FY2008/09, AY2008-09
        regexp_extract(
            period_text, '^(FY|AY)? ?(\d{4}) ?[/-] ?(\d{2}|\d{4})$', ['prefix', 'y1', 'y2']
        ) as annual,
        -- quarter spellings: 2008/09 Q1, 2008-09Q1, Q1 2008/09
        coalesce(
            nullif(regexp_extract(
                period_text, '^(?:FY)? ?(\d{4}) ?[/-] ?(\d{2}|\d{4})[ _-]?Q(\d+)$', ['y1', 'y2', 'q']
            ), {'y1': '', 'y2': '', 'q': ''}),
            regexp_extract(
                period_text, '^Q(\d+)[ _-]?(?:FY)? ?(\d{4}) ?[/-] ?(\d{2}|\d{4})$', ['q', 'y1', 'y2']
            )
        ) as quarter,
        regexp_extract(period_text, '^(PS|PLACE SURVEY)? ?(\d{4})$', ['prefix', 'y']) as single
    from (
        select period_raw, upper(regexp_replace(niw_trim(period_raw), '\s+', ' ', 'g')) as period_text
        from (select distinct period_raw from cleaned)
    )
),

parsed as (
    select
        c.*,
        a.area_text,
        i.indicator_text,
        i.ni_number,
        p.period_text,
        p.annual,
        p.quarter,
        p.single,
        niw_number(c.value_text) as value_given,
        niw_number(c.numerator_text) as numerator,
        niw_number(c.denominator_text) as denominator,
        niw_number(c.ci_lower_text) as ci_lower,
        niw_number(c.ci_upper_text) as ci_upper
    from cleaned as c
    left join area_spellings as a on a.area_raw is not distinct from c.area_raw
    left join indicator_spellings as i on i.indicator_raw is not distinct from c.indicator_raw
    left join period_spellings as p on p.period_raw is not distinct from c.period_raw
),

with_refs as (
    select
        p.*,
        i.ni_code,
        i.title,
        i.is_live,
        i.period_type,
        i.multiplier,
        i.valid_min,
        i.valid_max,
        a.area_code,
        a.valid_from_period,
        a.valid_to_period,
        -- consecutive years? 2008/09 and 2008/2009 yes; 2008/10 no
        case
            when p.annual.y1 = '' then null
            when length(p.annual.y2) = 4
                then try_cast(p.annual.y2 as integer) = try_cast(p.annual.y1 as integer) + 1
            else p.annual.y2 = lpad(cast((try_cast(p.annual.y1 as integer) + 1) % 100 as varchar), 2, '0')
        end as annual_ok,
        case
            when p.quarter.y1 = '' then null
            when length(p.quarter.y2) = 4
                then try_cast(p.quarter.y2 as integer) = try_cast(p.quarter.y1 as integer) + 1
            else p.quarter.y2 = lpad(cast((try_cast(p.quarter.y1 as integer) + 1) % 100 as varchar), 2, '0')
        end as quarter_years_ok
    from parsed as p
    left join ref_areas as a on a.area_code = p.area_text
    left join ref_indicators as i on i.ni_number = p.ni_number
),

with_period as (
    select
        w.*,
        case w.period_type
            when 'financial_year' then
                case when w.annual_ok and w.annual.prefix <> 'AY'
                    then w.annual.y1 || '-' || right(cast(try_cast(w.annual.y1 as integer) + 1 as varchar), 2)
                end
            when 'academic_year' then
                case when w.annual_ok
                    then 'AY' || w.annual.y1 || '-' || right(cast(try_cast(w.annual.y1 as integer) + 1 as varchar), 2)
                end
            when 'quarter' then
                case when w.quarter_years_ok and w.quarter.q in ('1', '2', '3', '4')
                    then w.quarter.y1 || '-' || right(cast(try_cast(w.quarter.y1 as integer) + 1 as varchar), 2)
                        || 'Q' || w.quarter.q
                end
            when 'calendar_year' then
                case when w.single.y <> '' and w.single.prefix = '' then w.single.y end
            when 'survey' then
                case when w.single.y <> '' then 'PS' || w.single.y end
        end as period_candidate
    from with_refs as w
),

with_period_ref as (
    select
        w.*,
        pr.period_id,
        pr.financial_year,
        coalesce(w.value_given, w.numerator * w.multiplier / w.denominator) as value_final
    from with_period as w
    left join ref_periods as pr
        on pr.period_id = w.period_candidate and pr.period_type = w.period_type
),

judged as (
    select
        w.*,
        case
            when w.area_code is null then 'UNKNOWN_AREA'
            when w.ni_code is null then 'UNKNOWN_INDICATOR'
            when not w.is_live then 'RETIRED_INDICATOR'
            when w.period_id is null then 'BAD_PERIOD'
            when (w.valid_from_period is not null and w.financial_year < w.valid_from_period)
                or (w.valid_to_period is not null and w.financial_year > w.valid_to_period)
                then 'AREA_NOT_IN_PERIOD'
            when (w.value_text is not null and w.value_given is null)
                or (w.numerator_text is not null and w.numerator is null)
                or (w.denominator_text is not null and w.denominator is null)
                or (w.ci_lower_text is not null and w.ci_lower is null)
                or (w.ci_upper_text is not null and w.ci_upper is null)
                or w.denominator <= 0
                then 'BAD_NUMBER'
            when w.value_text is null and (w.numerator is null or w.denominator is null)
                then 'MISSING_VALUE'
            when w.value_final < w.valid_min or w.value_final > w.valid_max then 'OUT_OF_RANGE'
            when w.value_given is not null and w.numerator is not null and w.denominator is not null
                and abs(w.value_given - w.numerator * w.multiplier / w.denominator) > 0.05 + 1e-9
                then 'INCONSISTENT_RATIO'
            when w.ci_lower > w.value_final or w.ci_upper < w.value_final then 'BAD_CI'
            when w.status_text is not null and lower(w.status_text) not in ('provisional', 'final')
                then 'BAD_STATUS'
        end as first_reason
    from with_period_ref as w
),

-- Among rows that passed every other check: the same key twice in one file conflicts when
-- the versions differ (comments aside); exact copies are accepted and give one version.
keys_in_file as (
    select
        file_id,
        area_code,
        ni_code,
        period_id,
        count(*) as copies,
        count(distinct (value_final, numerator, denominator, ci_lower, ci_upper,
                        coalesce(lower(status_text), 'provisional'))) as versions,
        min(line_number) as first_line
    from judged
    where first_reason is null
    group by all
),

with_conflicts as (
    select
        j.*,
        coalesce(lower(j.status_text), 'provisional') as status,
        k.versions > 1 as is_conflict,
        k.copies,
        k.first_line
    from judged as j
    left join keys_in_file as k
        on j.first_reason is null
        and k.file_id = j.file_id
        and k.area_code = j.area_code
        and k.ni_code = j.ni_code
        and k.period_id = j.period_id
)

select
    file_id,
    line_number,
    case when coalesce(first_reason, case when is_conflict then 'CONFLICTING_DUPLICATE' end) is not null
        then to_json(map_from_entries(list_zip(
            list_concat(names, list_transform(range(len(names) + 1, len(cells) + 1), lambda i: 'column ' || i)),
            cells
        )))::varchar
    end as raw,
    area_code,
    ni_code,
    period_id,
    value_final as value,
    value_given is null and value_final is not null as value_derived,
    numerator,
    denominator,
    ci_lower,
    ci_upper,
    status,
    comment,
    coalesce(first_reason, case when is_conflict then 'CONFLICTING_DUPLICATE' end) as reason_code,
    case coalesce(first_reason, case when is_conflict then 'CONFLICTING_DUPLICATE' end)
        when 'UNKNOWN_AREA' then
            case when area_text is null then 'area_code is blank'
                 else format('''{}'' is not the GSS code of an LAA area (9 characters, e.g. E08000016)', area_text)
            end
        when 'UNKNOWN_INDICATOR' then
            case when indicator_text is null then 'indicator is blank'
                 else format('''{}'' is not a national indicator: use NI 1 to NI 199, e.g. NI 117', indicator_text)
            end
        when 'RETIRED_INDICATOR' then
            format('{} ({}) is not a live indicator and takes no values', ni_code, title)
        when 'BAD_PERIOD' then
            case
                when period_text is null then 'period is blank'
                when period_candidate is not null then format(
                    '''{}'' is outside the framework''s window (1998 to 2010/11)', period_text)
                when annual_ok = false or quarter_years_ok = false then format(
                    '''{}'' names no real period: the two years must be consecutive, as in 2008/09', period_text)
                when quarter.q not in ('', '1', '2', '3', '4') then format(
                    '''{}'' names no real period: quarters run Q1 (Apr-Jun) to Q4 (Jan-Mar)', period_text)
                else format('''{}'' is not a {} period: {} is reported by {}, spelled like {}',
                    period_text, replace(period_type, '_', ' '), ni_code, replace(period_type, '_', ' '),
                    case period_type
                        when 'financial_year' then '2008/09'
                        when 'academic_year' then '2008/09'
                        when 'quarter' then '2008/09 Q1'
                        when 'calendar_year' then '2008'
                        when 'survey' then '2008 (the Place Survey wave)'
                    end)
            end
        when 'AREA_NOT_IN_PERIOD' then format(
            '{} was not an LAA area in {} (it was one {})', area_code, period_id,
            case
                when valid_from_period is not null and valid_to_period is not null
                    then 'from ' || valid_from_period || ' to ' || valid_to_period
                when valid_from_period is not null then 'from ' || valid_from_period
                else 'until ' || valid_to_period
            end)
        when 'BAD_NUMBER' then
            case
                when value_text is not null and value_given is null
                    then format('value ''{}'' is not a number', value_text)
                when numerator_text is not null and numerator is null
                    then format('numerator ''{}'' is not a number', numerator_text)
                when denominator_text is not null and denominator is null
                    then format('denominator ''{}'' is not a number', denominator_text)
                when ci_lower_text is not null and ci_lower is null
                    then format('ci_lower ''{}'' is not a number', ci_lower_text)
                when ci_upper_text is not null and ci_upper is null
                    then format('ci_upper ''{}'' is not a number', ci_upper_text)
                else format('denominator {} is not positive', denominator_text)
            end
        when 'MISSING_VALUE' then
            'value is blank and there is no numerator and denominator to derive it from'
        when 'OUT_OF_RANGE' then format(
            'value {} is outside {}''s valid range {} to {}',
            value_final, ni_code, coalesce(cast(valid_min as varchar), '-inf'), coalesce(cast(valid_max as varchar), '+inf'))
        when 'INCONSISTENT_RATIO' then format(
            'value {} disagrees with numerator / denominator x {} = {} by more than 0.05',
            value_given, multiplier, numerator * multiplier / denominator)
        when 'BAD_CI' then format(
            'the confidence interval {} to {} does not contain the value {}',
            coalesce(cast(ci_lower as varchar), '?'), coalesce(cast(ci_upper as varchar), '?'), value_final)
        when 'BAD_STATUS' then format(
            'status ''{}'' is neither provisional nor final (blank means provisional)', status_text)
        when 'CONFLICTING_DUPLICATE' then format(
            '{} {} {} appears {} times in this file with different values; send one', area_code, ni_code, period_id, copies)
    end as message,
    -- exact duplicates inside one file are all accepted but give one version (the first line)
    coalesce(line_number = first_line, false) as is_first_copy,
    -- how many rows of the file that version stands for (1, or n for n exact duplicates), so
    -- that rows_read = sum(copies) of the accepted versions + rejected rows; null when the
    -- row was rejected before duplicates were judged
    copies
from with_conflicts;
