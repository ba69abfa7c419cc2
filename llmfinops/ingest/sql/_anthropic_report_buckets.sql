-- Anthropic Admin API report pages (usage report and cost report: raw_records holds one time bucket per element
-- of `data`, its results[] as JSON text): the buckets, checked, and their results, one part each. The format's
-- own SQL continues these CTEs (InputFormat.sql_prelude).
WITH buckets AS (
    SELECT
        record_number,
        starting_at,
        ending_at,
        results AS results_text,
        TRY_CAST(starting_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS bucket_start,
        TRY_CAST(ending_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS bucket_end,
        CASE WHEN json_valid(results) AND json_type(CAST(results AS JSON)) = 'ARRAY'
             THEN CAST(results AS JSON[]) END AS results_list
    FROM raw_records
    WHERE parse_error IS NULL
),
bucket_checked AS (
    SELECT
        *,
        CASE
            WHEN nullif(trim(starting_at), '') IS NULL THEN {'field': 'starting_at', 'reason': 'missing'}
            WHEN bucket_start IS NULL
                THEN {'field': 'starting_at', 'reason': '''' || starting_at || ''' is not an RFC 3339 timestamp'}
            WHEN nullif(trim(ending_at), '') IS NULL THEN {'field': 'ending_at', 'reason': 'missing'}
            WHEN bucket_end IS NULL
                THEN {'field': 'ending_at', 'reason': '''' || ending_at || ''' is not an RFC 3339 timestamp'}
            WHEN bucket_end <= bucket_start THEN {'field': 'ending_at', 'reason': 'not after starting_at'}
            WHEN results_text IS NULL
                THEN {'field': 'results', 'reason': 'missing; every bucket of the report has a results list'}
            WHEN results_list IS NULL THEN {'field': 'results', 'reason': 'not a JSON array'}
        END AS bucket_rejection
    FROM buckets
),
results AS (
    SELECT
        record_number, starting_at, ending_at, bucket_start, bucket_end,
        unnest(results_list) AS result,
        generate_subscripts(results_list, 1) AS record_part
    FROM bucket_checked
    WHERE bucket_rejection IS NULL
),
-- The envelope's own rows: a bucket with no results (read, skipped by the format with its own reason, and still a
-- period a newer export replaces) and a bucket that cannot be read (one rejected record). The format prefixes
-- bucket_key with its name for natural_key.
envelope_rows AS (
    SELECT
        CASE WHEN bucket_rejection IS NULL
             THEN 'empty:' || strftime(bucket_start, '%Y-%m-%dT%H:%M:%S') || ':'
                  || strftime(bucket_end, '%Y-%m-%dT%H:%M:%S')
             ELSE 'bucket:' || record_number END AS bucket_key,
        'anthropic' AS provider,
        record_number,
        CAST(NULL AS BIGINT) AS record_part,
        CAST(json_object('starting_at', starting_at, 'ending_at', ending_at, 'results',
                         CASE WHEN json_valid(results_text) THEN CAST(results_text AS JSON)
                              ELSE to_json(results_text) END)
             AS VARCHAR) AS quarantine_raw,
        CASE WHEN bucket_rejection IS NULL THEN bucket_start END AS period_start,
        CASE WHEN bucket_rejection IS NULL THEN bucket_end END AS period_end,
        bucket_rejection.field AS reject_field,
        bucket_rejection.reason AS reject_reason
    FROM bucket_checked
    WHERE bucket_rejection IS NOT NULL OR len(results_list) = 0
),
