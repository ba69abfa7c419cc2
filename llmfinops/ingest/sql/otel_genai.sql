-- OTLP/JSON trace lines (raw_records: one TracesData per line, its resourceSpans as JSON text) -> one usage row per
-- GenAI inference span, plus a rejection for spans that fail checks. Conventions and sources: otel_genai.py.
WITH lines AS (
    SELECT
        record_number,
        resourceSpans AS resource_spans_text,
        CASE WHEN json_valid(resourceSpans) AND json_type(CAST(resourceSpans AS JSON)) = 'ARRAY'
             THEN CAST(resourceSpans AS JSON[]) END AS resource_spans
    FROM raw_records
    WHERE parse_error IS NULL
),
resources AS (
    SELECT record_number, unnest(resource_spans) AS resource_span,
           generate_subscripts(resource_spans, 1) AS resource_index
    FROM lines
    WHERE resource_spans IS NOT NULL
),
scopes AS (
    SELECT record_number, resource_index, resource_span -> 'resource' -> 'attributes' AS resource_attributes,
           unnest(TRY_CAST(resource_span -> 'scopeSpans' AS JSON[])) AS scope_span,
           generate_subscripts(TRY_CAST(resource_span -> 'scopeSpans' AS JSON[]), 1) AS scope_index
    FROM resources
),
spans AS (
    SELECT record_number, resource_index, scope_index, resource_attributes,
           scope_span -> 'scope' AS scope,
           unnest(TRY_CAST(scope_span -> 'spans' AS JSON[])) AS span,
           generate_subscripts(TRY_CAST(scope_span -> 'spans' AS JSON[]), 1) AS span_index
    FROM scopes
),
numbered AS (
    -- A span's place among all spans of its line (GenAI or not), so "line 3, span 2" points at the span in the file.
    SELECT
        *,
        row_number() OVER (PARTITION BY record_number ORDER BY resource_index, scope_index, span_index)
            AS record_part
    FROM spans
),
attributed AS (
    -- Attributes as (key, text) pairs: an AnyValue is one of stringValue, intValue (a string or a number),
    -- doubleValue, boolValue, arrayValue, kvlistValue, bytesValue; arrays and kvlists are kept as JSON text.
    SELECT
        *,
        list_transform(coalesce(TRY_CAST(span -> 'attributes' AS JSON[]), []), lambda attribute: {
            'key': attribute ->> 'key',
            'value': coalesce(
                attribute -> 'value' ->> 'stringValue', attribute -> 'value' ->> 'intValue',
                attribute -> 'value' ->> 'doubleValue', attribute -> 'value' ->> 'boolValue',
                CAST(to_json(list_transform(
                    TRY_CAST(attribute -> 'value' -> 'arrayValue' -> 'values' AS JSON[]), lambda element: coalesce(
                        element ->> 'stringValue', element ->> 'intValue', element ->> 'doubleValue',
                        element ->> 'boolValue', CAST(element AS VARCHAR)))) AS VARCHAR),
                CAST(attribute -> 'value' -> 'kvlistValue' AS VARCHAR), attribute -> 'value' ->> 'bytesValue')})
            AS span_pairs,
        list_transform(coalesce(TRY_CAST(resource_attributes AS JSON[]), []), lambda attribute: {
            'key': attribute ->> 'key',
            'value': coalesce(
                attribute -> 'value' ->> 'stringValue', attribute -> 'value' ->> 'intValue',
                attribute -> 'value' ->> 'doubleValue', attribute -> 'value' ->> 'boolValue',
                CAST(to_json(list_transform(
                    TRY_CAST(attribute -> 'value' -> 'arrayValue' -> 'values' AS JSON[]), lambda element: coalesce(
                        element ->> 'stringValue', element ->> 'intValue', element ->> 'doubleValue',
                        element ->> 'boolValue', CAST(element AS VARCHAR)))) AS VARCHAR),
                CAST(attribute -> 'value' -> 'kvlistValue' AS VARCHAR), attribute -> 'value' ->> 'bytesValue')})
            AS resource_pairs
    FROM numbered
),
safe AS (
    -- Content attributes (prompt, completion, messages, system instructions, tool arguments and results, in the
    -- GenAI semconv and the older OpenLLMetry / OpenInference / Langfuse names) are dropped here, before anything
    -- else reads the attributes; span events (where older semconv versions put content) are never read at all.
    SELECT
        *,
        list_filter(span_pairs, lambda pair: pair.key IS NOT NULL AND NOT (
            pair.key IN ('gen_ai.prompt', 'gen_ai.completion', 'gen_ai.input.messages', 'gen_ai.output.messages',
                         'gen_ai.system_instructions', 'gen_ai.tool.definitions', 'gen_ai.tool.call.arguments',
                         'gen_ai.tool.call.result', 'input.value', 'output.value', 'llm.prompts',
                         'traceloop.entity.input', 'traceloop.entity.output')
            OR starts_with(pair.key, 'gen_ai.prompt.') OR starts_with(pair.key, 'gen_ai.completion.')
            OR starts_with(pair.key, 'llm.input_messages') OR starts_with(pair.key, 'llm.output_messages')
            OR starts_with(pair.key, 'langfuse.observation.input')
            OR starts_with(pair.key, 'langfuse.observation.output')
            OR starts_with(pair.key, 'langfuse.trace.input') OR starts_with(pair.key, 'langfuse.trace.output')))
            AS span_kept,
        list_filter(resource_pairs, lambda pair: pair.key IS NOT NULL) AS resource_kept
    FROM attributed
),
looked_up AS (
    SELECT
        *,
        -- an attribute's first occurrence on the span wins; resource attributes only for attribution
        map_from_entries(list_filter(span_kept, lambda pair, position:
            list_position(list_transform(span_kept, lambda other: other.key), pair.key) = position)) AS attrs,
        map_from_entries(list_filter(resource_kept, lambda pair, position:
            list_position(list_transform(resource_kept, lambda other: other.key), pair.key) = position)) AS resource,
        lower(nullif(trim(span ->> 'traceId'), '')) AS trace_id,
        lower(nullif(trim(span ->> 'spanId'), '')) AS span_id,
        span ->> 'startTimeUnixNano' AS start_nanos_text,
        coalesce(span -> 'status' ->> 'code', '') AS status_code
    FROM safe
),
genai AS (
    SELECT
        *,
        nullif(attrs['gen_ai.operation.name'], '') AS operation_written,
        coalesce(attrs['gen_ai.usage.input_tokens'], attrs['gen_ai.usage.prompt_tokens']) AS input_text,
        coalesce(attrs['gen_ai.usage.output_tokens'], attrs['gen_ai.usage.completion_tokens']) AS output_text,
        coalesce(attrs['gen_ai.usage.cache_read.input_tokens'], attrs['gen_ai.usage.cache_read_input_tokens'])
            AS cache_read_text,
        coalesce(attrs['gen_ai.usage.cache_creation.input_tokens'], attrs['gen_ai.usage.cache_creation_input_tokens'],
                 attrs['gen_ai.usage.cache_write_input_tokens']) AS cache_write_text,
        coalesce(attrs['gen_ai.usage.reasoning.output_tokens'], attrs['gen_ai.usage.reasoning_tokens'],
                 attrs['gen_ai.usage.reasoning_output_tokens']) AS reasoning_text,
        attrs['gen_ai.usage.audio.input_tokens'] AS input_audio_text,
        attrs['gen_ai.usage.audio.output_tokens'] AS output_audio_text,
        attrs['gen_ai.usage.cost'] AS cost_text,
        list_filter(map_keys(attrs), lambda attribute_key: starts_with(attribute_key, 'gen_ai.usage.')) <> []
            AS has_usage
    FROM looked_up
),
classified AS (
    SELECT
        *,
        CASE
            WHEN operation_written IN ('chat', 'generate_content', 'text_completion', 'embeddings') THEN 'inference'
            -- agent and workflow spans may repeat their children's usage as a sum: see the dedupe below
            WHEN operation_written IN ('invoke_agent', 'invoke_workflow', 'create_agent') AND has_usage
                THEN 'aggregate'
            -- tool calls and retrievals are not model calls; any other operation with usage is read as inference
            WHEN operation_written IN ('execute_tool', 'retrieval', 'invoke_agent', 'invoke_workflow',
                                       'create_agent') THEN 'not usage'
            WHEN has_usage THEN 'inference'
            ELSE 'not usage'
        END AS span_class
    FROM genai
),
usage_spans AS (
    -- Non-GenAI spans and tool or retrieval spans are not usage: they produce no row and are not counted as read
    -- (see otel_genai.py). An agent span's usage is read only when its trace has no inference span with usage in
    -- this file, so a trace is never counted twice.
    SELECT * FROM classified AS outer_span
    WHERE span_class = 'inference'
       OR (span_class = 'aggregate' AND NOT EXISTS (
            SELECT 1 FROM classified AS inner_span
            WHERE inner_span.span_class = 'inference' AND inner_span.has_usage
              AND inner_span.trace_id = outer_span.trace_id))
),
counted AS (
    SELECT
        *,
        coalesce(whole_number(input_text), 0) AS input_count,
        coalesce(whole_number(output_text), 0) AS output_count,
        coalesce(whole_number(cache_read_text), 0) AS cache_read_count,
        coalesce(whole_number(cache_write_text), 0) AS cache_write_count,
        coalesce(whole_number(reasoning_text), 0) AS reasoning_count,
        coalesce(whole_number(input_audio_text), 0) AS input_audio_count,
        coalesce(whole_number(output_audio_text), 0) AS output_audio_count,
        whole_number(start_nanos_text) AS start_nanos,
        TRY_CAST(cost_text AS DECIMAL(38, 12)) AS cost_amount,
        coalesce(nullif(attrs['gen_ai.response.model'], ''), nullif(attrs['gen_ai.request.model'], ''))
            AS model_written,
        lower(coalesce(nullif(attrs['gen_ai.provider.name'], ''), nullif(attrs['gen_ai.system'], ''))) AS system_written
    FROM usage_spans
),
converted AS (
    -- The semconv says input_tokens SHOULD include cache reads and writes; instrumentations that copy Anthropic's
    -- own input_tokens do not. Take the first reading, newest first, that leaves a non-negative uncached count.
    SELECT
        *,
        uncached_prompt(input_count, cache_read_count, cache_write_count) AS uncached_input_count,
        'otel: input_tokens ' || prompt_convention(input_count, cache_read_count, cache_write_count) AS convention,
        -- tags: span attributes first, then resource attributes; the first occurrence of a key wins. Token counts
        -- are columns already, so they are not repeated as tags.
        list_filter(span_kept, lambda pair: NOT starts_with(pair.key, 'gen_ai.usage.')) || resource_kept AS tag_pairs
    FROM counted
),
rowed AS (
    SELECT
        *,
        map_from_entries(list_filter(tag_pairs, lambda pair, position:
            list_position(list_transform(tag_pairs, lambda other: other.key), pair.key) = position)) AS tags,
        row_number() OVER (PARTITION BY record_number, trace_id, span_id ORDER BY record_part) AS copy_in_line,
        min(record_part) OVER (PARTITION BY record_number, trace_id, span_id) AS first_part_in_line
    FROM converted
),
checked AS (
    SELECT
        *,
        CASE
            WHEN trace_id IS NULL THEN {'field': 'traceId', 'reason': 'missing'}
            WHEN NOT regexp_full_match(trace_id, '[0-9a-f]{32}')
                THEN {'field': 'traceId', 'reason': '''' || (span ->> 'traceId') || ''' is not 32 hex digits'}
            WHEN span_id IS NULL THEN {'field': 'spanId', 'reason': 'missing'}
            WHEN NOT regexp_full_match(span_id, '[0-9a-f]{16}')
                THEN {'field': 'spanId', 'reason': '''' || (span ->> 'spanId') || ''' is not 16 hex digits'}
            WHEN copy_in_line > 1
                THEN {'field': 'spanId', 'reason': 'duplicate of span ' || first_part_in_line || ' in the same line'}
            WHEN nullif(trim(start_nanos_text), '') IS NULL THEN {'field': 'startTimeUnixNano', 'reason': 'missing'}
            WHEN start_nanos IS NULL OR start_nanos <= 0
                THEN {'field': 'startTimeUnixNano',
                      'reason': '''' || start_nanos_text || ''' is not a whole number of nanoseconds since 1970'}
            WHEN input_text IS NOT NULL AND (whole_number(input_text) IS NULL OR input_count < 0)
                THEN {'field': CASE WHEN attrs['gen_ai.usage.input_tokens'] IS NOT NULL
                                    THEN 'gen_ai.usage.input_tokens' ELSE 'gen_ai.usage.prompt_tokens' END,
                      'reason': '''' || input_text || ''' is not a whole non-negative number'}
            WHEN output_text IS NOT NULL AND (whole_number(output_text) IS NULL OR output_count < 0)
                THEN {'field': CASE WHEN attrs['gen_ai.usage.output_tokens'] IS NOT NULL
                                    THEN 'gen_ai.usage.output_tokens' ELSE 'gen_ai.usage.completion_tokens' END,
                      'reason': '''' || output_text || ''' is not a whole non-negative number'}
            WHEN cache_read_text IS NOT NULL AND (whole_number(cache_read_text) IS NULL OR cache_read_count < 0)
                THEN {'field': 'gen_ai.usage.cache_read.input_tokens',
                      'reason': '''' || cache_read_text || ''' is not a whole non-negative number'}
            WHEN cache_write_text IS NOT NULL AND (whole_number(cache_write_text) IS NULL OR cache_write_count < 0)
                THEN {'field': 'gen_ai.usage.cache_creation.input_tokens',
                      'reason': '''' || cache_write_text || ''' is not a whole non-negative number'}
            WHEN (reasoning_text IS NOT NULL AND (whole_number(reasoning_text) IS NULL OR reasoning_count < 0))
                 OR (input_audio_text IS NOT NULL AND (whole_number(input_audio_text) IS NULL OR input_audio_count < 0))
                 OR (output_audio_text IS NOT NULL
                     AND (whole_number(output_audio_text) IS NULL OR output_audio_count < 0))
                THEN {'field': 'gen_ai.usage.reasoning.output_tokens',
                      'reason': 'a reasoning or audio token count is not a whole non-negative number'}
            WHEN reasoning_count + output_audio_count > output_count
                THEN {'field': 'gen_ai.usage.output_tokens',
                      'reason': 'smaller than its reasoning and audio output tokens'}
            WHEN input_audio_count > uncached_input_count
                THEN {'field': 'gen_ai.usage.input_tokens', 'reason': 'smaller than its audio input tokens'}
            WHEN cost_text IS NOT NULL AND cost_amount IS NULL
                THEN {'field': 'gen_ai.usage.cost', 'reason': '''' || cost_text || ''' is not a number'}
            WHEN model_written IS NULL
                THEN {'field': 'gen_ai.request.model', 'reason': 'missing (and no gen_ai.response.model)'}
        END AS rejection
    FROM rowed
)
SELECT
    'otel:' || trace_id || ':' || span_id AS natural_key,
    coalesce(nullif(attrs['gen_ai.response.id'], ''), span_id) AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    make_timestamp(start_nanos // 1000) AS ts,
    CASE
        WHEN system_written IN ('aws.bedrock', 'aws_bedrock', 'bedrock') THEN 'bedrock'
        WHEN system_written IN ('gcp.vertex_ai', 'vertex_ai', 'vertexai') THEN 'vertex_ai'
        WHEN system_written IN ('gcp.gemini', 'gemini', 'google_genai') THEN 'gemini'
        -- gcp.gen_ai: "when the exact API is not known"; the Gemini Developer API prices are the public list
        WHEN system_written = 'gcp.gen_ai' THEN 'gemini'
        WHEN system_written IN ('azure.ai.openai', 'az.ai.openai', 'azure_openai', 'azure') THEN 'azure'
        WHEN system_written IN ('azure.ai.inference', 'az.ai.inference') THEN 'azure_ai'
        WHEN system_written IN ('mistral_ai', 'mistralai') THEN 'mistral'
        WHEN system_written IN ('x_ai', 'xai') THEN 'xai'
        WHEN system_written = 'ibm.watsonx.ai' THEN 'watsonx'
        WHEN system_written IN ('moonshot_ai', 'moonshot') THEN 'moonshot'
        WHEN system_written IS NOT NULL THEN system_written
        -- no provider attribute: the endpoint says it for the two public APIs
        WHEN attrs['server.address'] = 'api.openai.com' THEN 'openai'
        WHEN attrs['server.address'] = 'api.anthropic.com' THEN 'anthropic'
        ELSE 'unknown'
    END AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    CASE
        WHEN operation_written IN ('chat', 'generate_content', 'text_completion') THEN 'chat'
        WHEN operation_written = 'embeddings' THEN 'embedding'
        ELSE coalesce(operation_written, 'chat')
    END AS operation,
    CASE lower(coalesce(attrs['openai.response.service_tier'], attrs['openai.request.service_tier'], ''))
        WHEN 'flex' THEN 'flex'
        WHEN 'priority' THEN 'priority'
        ELSE 'standard'
    END AS service_tier,
    uncached_input_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    output_count AS output_tokens,
    reasoning_count AS reasoning_tokens,
    -- the GenAI semconv has no cache-write TTL split
    0 AS cache_write_1h_tokens,
    input_audio_count AS input_audio_tokens,
    output_audio_count AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    1 AS request_count,
    -- status.code 2 is STATUS_CODE_ERROR (trace.proto); error.type is set on every failed GenAI call
    CASE WHEN status_code IN ('2', 'STATUS_CODE_ERROR') OR nullif(attrs['error.type'], '') IS NOT NULL
         THEN 'failure' ELSE 'success' END AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    coalesce(tags['user.id'], tags['enduser.id']) AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    tags['team'] AS team_alias,
    coalesce(tags['feature'], tags['service.name']) AS feature,
    coalesce(tags['deployment.environment.name'], tags['deployment.environment'], tags['environment']) AS environment,
    tags,
    cost_amount AS reported_cost,
    convention AS token_convention,
    record_number,
    record_part,
    -- what a quarantined span keeps: its ids, times, status code and the attributes left after content was dropped
    CAST(json_object(
        'resource', map_from_entries(resource_kept),
        'scope', scope,
        'span', json_object(
            'traceId', span -> 'traceId', 'spanId', span -> 'spanId', 'parentSpanId', span -> 'parentSpanId',
            'name', span -> 'name', 'kind', span -> 'kind', 'startTimeUnixNano', span -> 'startTimeUnixNano',
            'endTimeUnixNano', span -> 'endTimeUnixNano', 'status', json_object('code', span -> 'status' -> 'code'),
            'attributes', map_from_entries(span_kept))) AS VARCHAR) AS quarantine_raw,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked
UNION ALL BY NAME
-- A line that is a JSON object but not a TracesData (no resourceSpans array) is one unreadable part.
SELECT
    'otel:line:' || record_number AS natural_key,
    NULL AS request_id, 'request' AS grain, 'gateway' AS origin, NULL AS ts, NULL AS provider, NULL AS model,
    NULL AS model_raw, NULL AS operation, NULL AS service_tier, NULL AS input_tokens, NULL AS cache_read_tokens,
    NULL AS cache_write_tokens, NULL AS output_tokens, NULL AS reasoning_tokens, NULL AS cache_write_1h_tokens,
    NULL AS input_audio_tokens, NULL AS output_audio_tokens, NULL AS image_count, NULL AS web_search_count,
    NULL AS request_count, NULL AS status, NULL AS api_key_id, NULL AS api_key_alias, NULL AS project_id,
    NULL AS workspace_id, NULL AS user_id, NULL AS end_user, NULL AS team_id, NULL AS team_alias, NULL AS feature,
    NULL AS environment, NULL AS tags, NULL AS reported_cost, NULL AS token_convention,
    record_number,
    1 AS record_part,
    -- the line's text may hold content attributes, so only its shape is kept
    CAST(json_object('resourceSpans', CASE WHEN resource_spans_text IS NULL THEN 'absent'
                                           ELSE 'not an array' END) AS VARCHAR) AS quarantine_raw,
    'resourceSpans' AS reject_field,
    CASE WHEN resource_spans_text IS NULL THEN 'missing; each line must be one OTLP TracesData object'
         ELSE 'not a JSON array of ResourceSpans' END AS reject_reason
FROM lines
WHERE resource_spans IS NULL;
