-- Training checks for interrupts after every step, so statement_timeout
-- (and pg_cancel_backend, which raises the same interrupt) stops it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE slow_rows AS
SELECT i AS id, i % 2 AS task, (i / 2) % 2 AS label,
       ARRAY[(i / 2) % 2 + 0.3 * sin(i), 0.3 * cos(i)]::real[] AS features
FROM generate_series(1, 200) AS i;

-- a million epochs would take many minutes
SET statement_timeout = '300ms';
SELECT hgnn_fit(features, label, task,
                '{"hidden": 32, "epochs": 1000000, "batch_per_group": 16}')
FROM slow_rows;
RESET statement_timeout;

-- the cancelled training left nothing behind
SELECT hgnn_model_info(hgnn_fit(features, label, task,
                                '{"hidden": 4, "epochs": 2}'))->'rows_used'
       AS rows_used
FROM slow_rows;

-- hgnn_train inside a transaction: the timeout rolls back the whole call
BEGIN;
SET LOCAL statement_timeout = '300ms';
SELECT hgnn_train('slow', 'slow_rows', 'features', 'label', 'task',
                  '{"hidden": 32, "epochs": 1000000}');
ROLLBACK;
SELECT count(*) AS slow_versions FROM hgnn_models WHERE name = 'slow';
