-- OpenAI Organization API pages (usage and costs: raw_records holds one bucket per element of `data`, its
-- `results` as JSON text): the buckets, checked, and their non-empty results, one part each. The format's own SQL
-- continues these CTEs (InputFormat.sql_prelude).
WITH buckets AS (
    SELECT
        record_number,
        "object" AS bucket_object,
        start_time,
        end_time,
        results,
        -- times up to the year 9999, so a wild value is rejected rather than overflowing a timestamp
        CASE WHEN whole_number(start_time) BETWEEN 0 AND 253402300799 THEN whole_number(start_time) END
            AS start_seconds,
        CASE WHEN whole_number(end_time) BETWEEN 0 AND 253402300799 THEN whole_number(end_time) END AS end_seconds,
        CASE WHEN json_valid(results) AND json_type(CAST(results AS JSON)) = 'ARRAY'
             THEN CAST(results AS JSON[]) END AS result_list
    FROM raw_records
    WHERE parse_error IS NULL
),
bucket_checked AS (
    SELECT
        *,
        CASE
            WHEN nullif(trim(start_time), '') IS NULL
                THEN {'field': 'start_time', 'reason': 'missing; each element of data must be a bucket'}
            WHEN start_seconds IS NULL
                THEN {'field': 'start_time', 'reason': '''' || start_time || ''' is not a time in Unix seconds'}
            WHEN nullif(trim(end_time), '') IS NULL THEN {'field': 'end_time', 'reason': 'missing'}
            WHEN end_seconds IS NULL
                THEN {'field': 'end_time', 'reason': '''' || end_time || ''' is not a time in Unix seconds'}
            WHEN end_seconds <= start_seconds THEN {'field': 'end_time', 'reason': 'not after start_time'}
            WHEN results IS NULL THEN {'field': 'results', 'reason': 'missing'}
            WHEN result_list IS NULL THEN {'field': 'results', 'reason': 'not a JSON array of results'}
        END AS rejection
    FROM buckets
),
results AS (
    SELECT
        record_number, start_seconds, end_seconds,
        unnest(result_list) AS result,
        generate_subscripts(result_list, 1) AS record_part
    FROM bucket_checked
    WHERE rejection IS NULL AND len(result_list) > 0
),
-- The envelope's own rows: a bucket with no results (read, skipped by the format with its own reason, and still a
-- period a newer export replaces) and a bucket that cannot be read (one quarantined row, "element N"). The format
-- prefixes bucket_key with its name for natural_key.
envelope_rows AS (
    SELECT
        CASE WHEN rejection IS NULL THEN 'empty:' || start_seconds || ':' || end_seconds
             ELSE 'bucket:' || record_number END AS bucket_key,
        'openai' AS provider,
        record_number,
        CAST(NULL AS BIGINT) AS record_part,
        CAST(json_object('object', bucket_object, 'start_time', start_time, 'end_time', end_time, 'results', results)
             AS VARCHAR) AS quarantine_raw,
        CASE WHEN rejection IS NULL THEN make_timestamp(start_seconds * 1000000) END AS period_start,
        CASE WHEN rejection IS NULL THEN make_timestamp(end_seconds * 1000000) END AS period_end,
        rejection.field AS reject_field,
        rejection.reason AS reject_reason
    FROM bucket_checked
    WHERE rejection IS NOT NULL OR len(result_list) = 0
),
