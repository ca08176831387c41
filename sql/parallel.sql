-- The model depends on the set of rows only: a parallel plan, a serial
-- plan and any row order train the same weights.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE par_rows AS
SELECT i AS id,
       (ARRAY['amazon', 'dslr', 'webcam'])[i % 3 + 1] AS domain,
       (i / 3) % 4 AS label,
       ARRAY[(i / 3) % 4 + 0.4 * sin(i * 1.7),
             0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9)]::real[] AS features
FROM generate_series(1, 6000) AS i;
ANALYZE par_rows;

CREATE TABLE par_options AS
SELECT '{"hidden": 8, "gat_hidden": 4, "task_embedding": 4,
         "class_embedding": 4, "epochs": 3, "batch_per_group": 8,
         "learning_rate": 0.05,
         "lr_schedule": "inverse", "weight_decay": 0.01, "seed": 21}'::jsonb AS o;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE par_serial AS
SELECT hgnn_model_info(hgnn_fit(features, label, domain,
                                (SELECT o FROM par_options)))->>'weights_hash'
       AS hash
FROM par_rows;

-- the same rows in other orders
SELECT hgnn_model_info(hgnn_fit(features, label, domain,
                                (SELECT o FROM par_options)
                                ORDER BY md5(id::text)))->>'weights_hash' =
       (SELECT hash FROM par_serial) AS shuffled_same
FROM par_rows;

SELECT hgnn_model_info(hgnn_fit(features, label, domain,
                                (SELECT o FROM par_options)
                                ORDER BY id DESC))->>'weights_hash' =
       (SELECT hash FROM par_serial) AS reversed_same
FROM par_rows;

-- a different set of rows trains different weights
SELECT hgnn_model_info(hgnn_fit(features, label, domain,
                                (SELECT o FROM par_options)))->>'weights_hash'
       <> (SELECT hash FROM par_serial) AS subset_differs
FROM par_rows WHERE id > 1;

-- force a parallel plan, with the workers doing all the scanning
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT hgnn_fit(features, label, domain, '{"epochs": 3}') FROM par_rows;

SELECT hgnn_model_info(hgnn_fit(features, label, domain,
                                (SELECT o FROM par_options)))->>'weights_hash' =
       (SELECT hash FROM par_serial) AS parallel_same
FROM par_rows;

-- NULL rows are counted across workers too
SELECT hgnn_fit(CASE WHEN id % 1000 = 0 THEN NULL ELSE features END,
                label, domain, (SELECT o FROM par_options))
FROM par_rows;

-- prediction runs in the workers
CREATE TABLE par_model AS
SELECT hgnn_fit(features, label, domain, (SELECT o FROM par_options)) AS model
FROM par_rows;

EXPLAIN (COSTS OFF)
SELECT sum(hgnn_predict((SELECT model FROM par_model), features, domain) * id)
FROM par_rows;

CREATE TABLE par_predicted AS
SELECT sum(hgnn_predict((SELECT model FROM par_model), features, domain) * id)
       AS checksum
FROM par_rows;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- the serial plan predicts the same
SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF)
SELECT sum(hgnn_predict((SELECT model FROM par_model), features, domain) * id)
FROM par_rows;
SELECT sum(hgnn_predict((SELECT model FROM par_model), features, domain) * id)
       = (SELECT checksum FROM par_predicted) AS serial_predictions_same
FROM par_rows;
