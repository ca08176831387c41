-- Damaged model bytes: truncated, altered, random, from a newer version.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE enc_models AS
SELECT hgnn_fit(ARRAY[(i / 2) % 2 + 0.3 * sin(i), 0.3 * cos(i)]::real[],
                (i / 2) % 2, i % 2,
                '{"hidden": 4, "gat_hidden": 2, "task_embedding": 2,
                  "class_embedding": 2, "epochs": 2,
                  "batch_per_group": 4}') AS model
FROM generate_series(1, 40) AS i;

-- the header: magic "HGNN", format version 6 as little-endian uint32
SELECT substr(model, 1, 8) AS header, length(model) AS bytes
FROM enc_models;

-- truncated: shorter than the header, or than the body it states
SELECT hgnn_model_info(substr(model, 1, 3)) FROM enc_models;
SELECT hgnn_model_info(substr(model, 1, 23)) FROM enc_models;
SELECT hgnn_model_info(substr(model, 1, 100)) FROM enc_models;
SELECT hgnn_model_info(substr(model, 1, length(model) - 1)) FROM enc_models;

-- every shorter length is an error
CREATE FUNCTION enc_try_info(m bytea) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hgnn_model_info(m);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END;
$$;

SELECT enc_try_info(substr(model, 1, n)) AS sqlstate, count(*)
FROM enc_models, generate_series(0, length(model) - 1) AS n
GROUP BY 1 ORDER BY 1;

-- one byte altered: in the body the checksum fails, in the header the
-- part it hits is named
SELECT hgnn_predict(set_byte(model, 500, (get_byte(model, 500) + 1) % 256),
                    '{1, 2}'::real[], 1) FROM enc_models;
SELECT hgnn_model_info(set_byte(model, 0, 0)) FROM enc_models;
SELECT hgnn_model_info(set_byte(model, 12, (get_byte(model, 12) + 1) % 256))
FROM enc_models;
SELECT hgnn_model_info(set_byte(model, 16, get_byte(model, 16) + 1))
FROM enc_models;

SELECT enc_try_info(set_byte(model, n, (get_byte(model, n) + 1) % 256))
       AS sqlstate, count(*)
FROM enc_models, generate_series(0, length(model) - 1) AS n
GROUP BY 1 ORDER BY 1;

-- versions before 6 end before the byte of weight_decay_scale, so this
-- model with an older version number is corrupt, because one byte follows
-- the last field.  test/test_encode.c decodes bodies of every older
-- version.
SELECT hgnn_model_info(overlay(model placing '\x05000000'::bytea
                               FROM 5 FOR 4)) FROM enc_models;
SELECT hgnn_model_info(overlay(m placing '\x03000000'::bytea FROM 5 FOR 4))
FROM (SELECT hgnn_fit(ARRAY[(g / 2) % 2 + 0.3 * sin(g),
                            0.3 * cos(g)]::real[],
                      (g / 2) % 2, g % 2,
                      '{"hidden": 4, "epochs": 2, "activation": "tanh",
                        "lr_schedule": "inverse"}') AS m
      FROM generate_series(1, 40) AS g) f;
-- a version number from a newer hgnn, and the invalid version 0
SELECT hgnn_model_info(overlay(model placing '\x07000000'::bytea
                               FROM 5 FOR 4)) FROM enc_models;
SELECT hgnn_predict_label(overlay(model placing '\xffffffff'::bytea
                                  FROM 5 FOR 4), '{1, 2}'::real[], 1)
FROM enc_models;
SELECT hgnn_model_info(overlay(model placing '\x00000000'::bytea
                               FROM 5 FOR 4)) FROM enc_models;

-- bytes after the stated body
SELECT hgnn_model_info(model || '\x00'::bytea) FROM enc_models;

-- not a model at all
SELECT hgnn_model_info(''::bytea);
SELECT hgnn_model_info('hello'::bytea);
SELECT hgnn_model_classes(decode(repeat(md5('hgnn'), 40), 'hex'));
CREATE TABLE enc_random AS
SELECT i, decode(string_agg(md5(i::text || '-' || j::text), '' ORDER BY j),
                 'hex') AS bytes
FROM generate_series(1, 50) AS i, generate_series(1, 1 + i % 7) AS j
GROUP BY i;
SELECT enc_try_info(bytes) AS sqlstate, count(*) FROM enc_random
GROUP BY 1 ORDER BY 1;

-- random bytes behind a valid magic and version
SELECT enc_try_info('\x48474e4e01000000'::bytea || bytes) AS sqlstate,
       count(*)
FROM enc_random GROUP BY 1 ORDER BY 1;

-- the intact model still decodes
SELECT hgnn_model_info(model)->'n_features' AS n_features FROM enc_models;
