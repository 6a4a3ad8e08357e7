-- Up Migration

-- Every alert is rendered twice: as text (body, what Twilio, Vonage and SMPP send) and as a template
-- (what Aliyun and Tencent Cloud send: their approved template code for key + locale, these params, their
-- registered signature). Both are kept so support can show exactly what went out on either path. The
-- params are an ordered JSON array of {name, value} (Tencent fills its template by position).
ALTER TABLE notifications ADD COLUMN template_key text;
ALTER TABLE notifications ADD COLUMN template_params jsonb;

-- The exact text the handset gets when it differs from the alert's body: a template-only vendor's
-- 【signature】 plus the filled template. NULL when the provider sent the body as it is.
ALTER TABLE delivery_attempts ADD COLUMN handset_text text;

-- Down Migration
ALTER TABLE delivery_attempts DROP COLUMN handset_text;
ALTER TABLE notifications DROP COLUMN template_params;
ALTER TABLE notifications DROP COLUMN template_key;
