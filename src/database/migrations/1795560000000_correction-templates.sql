-- Up Migration

-- Correction alerts queued before their row carried a template (only reversals.template had it, as the
-- old 'card_reversed' template with the wording in an 'action' param) get one in the approved keys
-- (card_reversed_full / _partial, card_refunded_full / _partial) and in their locale's slot order
-- (src/rendering/alert-template.ts), so Aliyun and Tencent can send them instead of failing them
-- CANNOT_SEND. "Full" is what the renderer decided: this reversal gave everything back at once. Only
-- alerts still to be sent are touched; a row whose old params are incomplete is left as it was.
WITH old AS (
  SELECT n.id, r.kind, r.template->>'locale' AS locale,
         (SELECT jsonb_object_agg(p->>'name', p->>'value')
          FROM jsonb_array_elements(r.template->'params') AS p) AS v
  FROM notifications n JOIN reversals r ON r.notification_id = n.id
  WHERE n.kind = 'CORRECTION' AND n.template_key IS NULL AND n.status IN ('QUEUED', 'SENDING')
    AND r.template->>'key' = 'card_reversed' AND r.template->>'locale' IN ('en', 'zh-CN')
), keyed AS (
  SELECT id, locale, v,
         CASE WHEN v->>'reversed' = v->>'amount' AND v->>'total' = v->>'amount' THEN 'full' ELSE 'partial' END
           AS extent,
         CASE WHEN kind LIKE '%REFUND' THEN 'refunded' ELSE 'reversed' END AS action
  FROM old
  WHERE v ?& ARRAY['card', 'time', 'merchant', 'amount', 'reversed', 'total', 'phone']
), slots AS (
  SELECT id, 'card_' || action || '_' || extent AS key, v,
         CASE
           WHEN locale = 'zh-CN' AND extent = 'full' THEN ARRAY['card', 'time', 'merchant', 'amount', 'phone']
           WHEN locale = 'zh-CN' THEN ARRAY['card', 'time', 'merchant', 'amount', 'reversed', 'total', 'phone']
           WHEN extent = 'full' THEN ARRAY['amount', 'merchant', 'time', 'card', 'phone']
           ELSE ARRAY['amount', 'merchant', 'time', 'card', 'reversed', 'total', 'phone']
         END AS names
  FROM keyed
)
UPDATE notifications n
SET template_key = s.key,
    template_params = (SELECT jsonb_agg(jsonb_build_object('name', x.name, 'value', s.v->>x.name) ORDER BY x.ord)
                       FROM unnest(s.names) WITH ORDINALITY AS x(name, ord))
FROM slots s
WHERE n.id = s.id;

-- Down Migration
-- Nothing to undo: the backfilled columns are what the new code writes for every correction.
