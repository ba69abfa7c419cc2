-- Langfuse observations (raw_records, all text; snake_case export columns or camelCase API fields) -> one usage row
-- per observation with usage, plus a rejection for rows that fail checks. Conventions and sources: langfuse.py.
WITH parsed AS (
    SELECT
        record_number,
        nullif(trim(id), '') AS observation_id,
        upper(nullif(trim("type"), '')) AS observation_type,
        coalesce(nullif(trim(trace_id), ''), nullif(trim(traceId), '')) AS trace_key,
        coalesce(nullif(trim(start_time), ''), nullif(trim(startTime), '')) AS start_text,
        coalesce(nullif(usage_details, ''), nullif(usageDetails, '')) AS usage_text,
        coalesce(nullif(cost_details, ''), nullif(costDetails, '')) AS cost_text,
        coalesce(nullif(trim(total_cost), ''), nullif(trim(totalCost), '')) AS total_cost_text,
        nullif(trim(calculatedTotalCost), '') AS calculated_cost_text,
        coalesce(nullif(trim(provided_model_name), ''), nullif(trim(providedModelName), ''), nullif(trim(model), ''))
            AS model_written,
        coalesce(nullif(trim(project_id), ''), nullif(trim(projectId), '')) AS project_written,
        coalesce(nullif(trim(user_id), ''), nullif(trim(userId), '')) AS user_written,
        coalesce(nullif(trim(session_id), ''), nullif(trim(sessionId), '')) AS session_written,
        coalesce(nullif(trim(trace_name), ''), nullif(trim(traceName), '')) AS trace_name_written,
        coalesce(nullif(trim(prompt_name), ''), nullif(trim(promptName), '')) AS prompt_name_written,
        nullif(trim(environment), '') AS environment_written,
        nullif(trim("release"), '') AS release_written,
        nullif(trim("name"), '') AS observation_name,
        upper(coalesce(nullif(trim("level"), ''), 'DEFAULT')) AS level_written,
        metadata,
        tags
    FROM raw_records
    WHERE parse_error IS NULL
),
decoded AS (
    SELECT
        *,
        TRY_CAST(start_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        CASE WHEN json_valid(usage_text) AND json_type(CAST(usage_text AS JSON)) = 'OBJECT'
             THEN CAST(usage_text AS JSON) END AS usage_json,
        CASE WHEN json_valid(cost_text) AND json_type(CAST(cost_text AS JSON)) = 'OBJECT'
             THEN CAST(cost_text AS JSON) END AS cost_json,
        CASE WHEN json_valid(metadata) AND json_type(CAST(metadata AS JSON)) = 'OBJECT'
             THEN CAST(metadata AS JSON) END AS metadata_json,
        -- trace tags: a JSON array of strings (JSON exports, API), or its JSON text (CSV)
        CASE WHEN json_valid(tags) AND json_type(CAST(tags AS JSON)) = 'ARRAY'
             THEN json_extract_string(CAST(tags AS JSON), '$[*]') END AS tag_list
    FROM parsed
),
entries AS (
    -- usage_details as (key, value) entries, each classified by its name (see langfuse.py for the key rules)
    SELECT
        *,
        list_transform(coalesce(json_keys(usage_json), []), lambda usage_key: {
            'key': usage_key,
            'count': whole_number(usage_json ->> usage_key),
            'text': usage_json ->> usage_key,
            'kind': CASE
                WHEN lower(usage_key) = 'total' THEN 'total'
                -- per-modality and per-TTL breakdowns repeat tokens counted under another key
                WHEN contains(lower(usage_key), 'modality') OR contains(lower(usage_key), 'ephemeral') THEN 'subset'
                WHEN contains(lower(usage_key), 'cache')
                     AND (contains(lower(usage_key), 'creat') OR contains(lower(usage_key), 'write'))
                    THEN 'cache_write'
                WHEN contains(lower(usage_key), 'cache') THEN 'cache_read'
                WHEN lower(usage_key) = 'input' THEN 'input'
                WHEN lower(usage_key) = 'output' THEN 'output'
                WHEN starts_with(lower(usage_key), 'input') THEN 'input_detail'
                WHEN starts_with(lower(usage_key), 'output') THEN 'output_detail'
                ELSE 'other'
            END,
            -- OpenAI-style details are named input_<key> (input_cached_tokens); Anthropic's are not
            -- (cache_read_input_tokens): only the former can be inside `input`
            'prefixed': starts_with(lower(usage_key), 'input')}) AS usage_entries
    FROM decoded
),
summed AS (
    SELECT
        *,
        list_filter(usage_entries, lambda entry: entry.kind <> 'other'
                    AND (entry.count IS NULL OR entry.count < 0)) AS bad_entries,
        list_filter(usage_entries, lambda entry: entry.kind = 'total')[1].count AS total_count,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry: entry.kind = 'input'),
                                         lambda entry: entry.count)), 0) AS input_base,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry: entry.kind = 'output'),
                                         lambda entry: entry.count)), 0) AS output_base,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry: entry.kind = 'input_detail'),
                                         lambda entry: entry.count)), 0) AS input_detail,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry: entry.kind = 'output_detail'),
                                         lambda entry: entry.count)), 0) AS output_detail,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry:
            entry.kind IN ('cache_read', 'cache_write') AND entry.prefixed), lambda entry: entry.count)), 0)
            AS cached_prefixed,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry:
            entry.kind IN ('cache_read', 'cache_write') AND NOT entry.prefixed), lambda entry: entry.count)), 0)
            AS cached_separate,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry: entry.kind = 'cache_read'),
                                         lambda entry: entry.count)), 0) AS cache_read_count,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry: entry.kind = 'cache_write'),
                                         lambda entry: entry.count)), 0) AS cache_write_count,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry:
            contains(lower(entry.key), 'ephemeral') AND contains(lower(entry.key), '1h')),
            lambda entry: entry.count)), 0) AS cache_write_1h_count,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry:
            entry.kind = 'output_detail' AND contains(lower(entry.key), 'reasoning')), lambda entry: entry.count)), 0)
            AS reasoning_count,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry:
            entry.kind = 'input_detail' AND contains(lower(entry.key), 'audio')), lambda entry: entry.count)), 0)
            AS input_audio_count,
        coalesce(list_sum(list_transform(list_filter(usage_entries, lambda entry:
            entry.kind = 'output_detail' AND contains(lower(entry.key), 'audio')), lambda entry: entry.count)), 0)
            AS output_audio_count,
        list_filter(usage_entries, lambda entry: entry.kind NOT IN ('total', 'subset', 'other') AND entry.count > 0)
            <> [] AS has_usage
    FROM entries
),
converted AS (
    -- Langfuse's own ingestion subtracts every prompt_tokens_details / input_token_details entry from `input` (and
    -- completion details from `output`), so its usage_details keys are disjoint and `total` is their sum. A client
    -- may instead send OpenAI-style details as parts of `input` / `output`: that shows as total = input + output
    -- (+ Anthropic-style cache keys, which are never inside `input`) while the sum of all keys is larger.
    SELECT
        *,
        total_count IS NOT NULL
            AND total_count <> input_base + input_detail + output_base + output_detail + cached_prefixed
                                + cached_separate
            AND total_count = input_base + output_base + cached_separate
            AND input_base >= input_detail + cached_prefixed
            AND output_base >= output_detail AS details_inside
    FROM summed
),
normalised AS (
    SELECT
        *,
        CASE WHEN details_inside THEN input_base - cached_prefixed ELSE input_base + input_detail END
            AS uncached_input_count,
        CASE WHEN details_inside THEN output_base ELSE output_base + output_detail END AS output_count,
        CASE WHEN details_inside
             THEN 'langfuse: input_* and output_* details inside input and output (total = input + output)'
             ELSE 'langfuse: usage_details keys are disjoint (Langfuse convention)' END AS convention,
        coalesce(total_cost_text, cost_json ->> 'total', calculated_cost_text) AS reported_text,
        TRY_CAST(coalesce(total_cost_text, cost_json ->> 'total', calculated_cost_text) AS DECIMAL(38, 12))
            AS reported_amount,
        -- metadata entries whose value is a plain value (not nested JSON) and whose key cannot name content, then
        -- the trace tags ("key:value", or a bare "key"); the first occurrence of a key wins
        coalesce(list_filter(
            list_transform(json_keys(metadata_json),
                           lambda metadata_key: {'key': metadata_key, 'value': metadata_json ->> metadata_key}),
            lambda entry: json_type(metadata_json -> entry.key) NOT IN ('OBJECT', 'ARRAY')
                -- a map value that is itself JSON text (Langfuse's Map(String, String) keeps nested values so)
                AND NOT regexp_matches(coalesce(entry.value, ''), '^\s*[\[{]')
                AND NOT regexp_matches(lower(entry.key),
                                       'prompt|completion|message|content|input|output|instruction|query|text')),
            [])
        || coalesce(list_transform(tag_list, lambda tag: {
                'key': CASE WHEN contains(tag, ':') THEN split_part(tag, ':', 1) ELSE tag END,
                'value': CASE WHEN contains(tag, ':') THEN substr(tag, strpos(tag, ':') + 1) END}), [])
        || list_filter([
                {'key': 'langfuse.trace_id', 'value': trace_key},
                {'key': 'langfuse.trace_name', 'value': trace_name_written},
                {'key': 'langfuse.session_id', 'value': session_written},
                {'key': 'langfuse.observation_name', 'value': observation_name},
                {'key': 'langfuse.prompt_name', 'value': prompt_name_written},
                {'key': 'langfuse.release', 'value': release_written}], lambda entry: entry.value IS NOT NULL)
            AS tag_entries,
        lower(coalesce(nullif(metadata_json ->> 'ls_provider', ''),
                       CASE WHEN contains(model_written, '/') THEN split_part(model_written, '/', 1) END, ''))
            AS provider_written,
        lower(regexp_replace(model_written, '^.*/', '')) AS model_id
    FROM converted
),
usage_rows AS (
    -- Only generations and embeddings, or observations of another type that carry usage, are usage rows; spans,
    -- events, tools, agents ... without usage are not usage and are counted nowhere (see langfuse.py).
    SELECT
        *,
        map_from_entries(list_filter(tag_entries, lambda entry, position:
            list_position(list_transform(tag_entries, lambda other: other.key), entry.key) = position)) AS tag_map
    FROM normalised
    WHERE observation_type IN ('GENERATION', 'EMBEDDING') OR has_usage
       OR observation_type IS NULL OR usage_text IS NOT NULL AND usage_json IS NULL
),
checked AS (
    SELECT
        *,
        CASE
            WHEN observation_id IS NULL THEN {'field': 'id', 'reason': 'missing; every observation has one'}
            WHEN observation_type IS NULL THEN {'field': 'type', 'reason': 'missing'}
            WHEN start_text IS NULL THEN {'field': 'start_time', 'reason': 'missing'}
            WHEN started_at IS NULL
                THEN {'field': 'start_time', 'reason': '''' || start_text || ''' is not a timestamp'}
            WHEN usage_text IS NOT NULL AND usage_json IS NULL
                THEN {'field': 'usage_details', 'reason': 'not a JSON object'}
            WHEN bad_entries <> []
                THEN {'field': 'usage_details', 'reason': '''' || bad_entries[1].key || ''' is '
                      || coalesce('''' || bad_entries[1].text || '''', 'null') || ', not a whole non-negative number'}
            WHEN cost_text IS NOT NULL AND cost_json IS NULL
                THEN {'field': 'cost_details', 'reason': 'not a JSON object'}
            WHEN reported_text IS NOT NULL AND reported_amount IS NULL
                THEN {'field': 'total_cost', 'reason': '''' || reported_text || ''' is not a number'}
            WHEN nullif(metadata, '') IS NOT NULL AND metadata_json IS NULL
                THEN {'field': 'metadata', 'reason': 'not a JSON object'}
            WHEN nullif(tags, '') IS NOT NULL AND tag_list IS NULL
                THEN {'field': 'tags', 'reason': 'not a JSON array'}
            WHEN uncached_input_count < input_audio_count
                THEN {'field': 'usage_details', 'reason': 'input audio tokens exceed input tokens'}
            WHEN reasoning_count + output_audio_count > output_count
                THEN {'field': 'usage_details', 'reason': 'reasoning and audio output tokens exceed output tokens'}
            WHEN cache_write_1h_count > cache_write_count
                THEN {'field': 'usage_details', 'reason': '1-hour cache writes exceed all cache writes'}
            WHEN model_written IS NULL
                THEN {'field': 'provided_model_name', 'reason': 'missing on an observation with usage'}
        END AS rejection
    FROM usage_rows
)
SELECT
    'langfuse:' || observation_id AS natural_key,
    observation_id AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    -- Langfuse records no provider: LangChain's ls_provider, a "provider/" prefix, else the model family. A model id
    -- routed through a cloud (Bedrock, Vertex, Azure) is recognised only by its cloud-specific spelling.
    CASE
        WHEN provider_written IN ('azure', 'azure_openai', 'azure_ai') THEN 'azure'
        WHEN provider_written IN ('amazon_bedrock', 'bedrock', 'bedrock_converse', 'aws') THEN 'bedrock'
        WHEN provider_written IN ('google_vertexai', 'vertexai', 'vertex_ai', 'google_anthropic_vertex')
            THEN 'vertex_ai'
        WHEN provider_written IN ('google_genai', 'google_ai', 'gemini', 'google') THEN 'gemini'
        WHEN provider_written IN ('mistralai', 'mistral') THEN 'mistral'
        WHEN provider_written <> '' THEN provider_written
        WHEN regexp_matches(model_id, '^(us|eu|apac|global|jp|au)\.(anthropic|amazon|meta|mistral|cohere)\.')
             OR regexp_matches(model_id, '^(anthropic|amazon|meta|cohere|ai21)\.') THEN 'bedrock'
        WHEN starts_with(model_id, 'claude') AND contains(model_id, '@') THEN 'vertex_ai'
        WHEN starts_with(model_id, 'claude') THEN 'anthropic'
        WHEN regexp_matches(model_id,
                            '^(gpt-|o[1-9]|chatgpt|text-embedding-|davinci|babbage|whisper|tts-|dall-e|omni-)')
            THEN 'openai'
        WHEN starts_with(model_id, 'gemini') OR starts_with(model_id, 'text-embedding-0')
             OR starts_with(model_id, 'gemini-embedding') THEN 'gemini'
        WHEN regexp_matches(model_id, '^(mistral|mixtral|codestral|magistral|ministral|pixtral|devstral)')
            THEN 'mistral'
        WHEN starts_with(model_id, 'deepseek') THEN 'deepseek'
        ELSE 'unknown'
    END AS provider,
    model_id AS model,
    model_written AS model_raw,
    CASE WHEN observation_type = 'EMBEDDING' THEN 'embedding' ELSE 'chat' END AS operation,
    'standard' AS service_tier,
    uncached_input_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    output_count AS output_tokens,
    reasoning_count AS reasoning_tokens,
    cache_write_1h_count AS cache_write_1h_tokens,
    input_audio_count AS input_audio_tokens,
    output_audio_count AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    1 AS request_count,
    CASE WHEN level_written = 'ERROR' THEN 'failure' ELSE 'success' END AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    project_written AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    user_written AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    tag_map['team'] AS team_alias,
    coalesce(tag_map['feature'], trace_name_written) AS feature,
    coalesce(environment_written, tag_map['environment'], tag_map['env']) AS environment,
    tag_map AS tags,
    reported_amount AS reported_cost,
    convention AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
