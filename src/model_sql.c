/*
 * model_sql.c
 *		Models as SQL values: decoding with a per-query cache, catalog
 *		lookup by name, hgnn_model_classes and hgnn_model_info.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "base_model.h"
#include "encode.h"
#include "hgnn.h"
#include "keys.h"
#include "model_sql.h"
#include "optim.h"
#include "options.h"

PG_FUNCTION_INFO_V1(hgnn_model_classes_bytea);
PG_FUNCTION_INFO_V1(hgnn_model_classes_name);
PG_FUNCTION_INFO_V1(hgnn_model_info_bytea);
PG_FUNCTION_INFO_V1(hgnn_model_info_name);

/*
 * The fn_extra of a function that takes a model.  One model is kept: a
 * query that alternates between models decodes on every change.
 */
typedef struct ModelCache
{
	HgnnCachedModel *cached;	/* NULL when empty */

	/* key of a model from a bytea argument */
	bool		have_toast;
	struct varatt_external toast;	/* valid when have_toast */
	Size		size;			/* model bytes, without the varlena header */
	uint8	   *bytes;			/* copy of the size model bytes, in the
								 * cached model's memory context */

	/* key of a model looked up by name, with name NULL for a bytea model */
	char	   *name;
	LocalTransactionId lxid;
	CommandId	cid;
	bool		have_snapshot;	/* false: the next lookup misses */
	TransactionId snap_xmin;
	TransactionId snap_xmax;
	uint32		snap_xcnt;
	int32		snap_subxcnt;
	TransactionId *snap_xip;	/* snap_xcnt, in fn_mcxt */
	TransactionId *snap_subxip; /* snap_subxcnt, in fn_mcxt */
} ModelCache;

static ModelCache *
get_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra =
			MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ModelCache));
	return (ModelCache *) fcinfo->flinfo->fn_extra;
}

static void
cache_clear(ModelCache *cache)
{
	if (cache->cached)
		MemoryContextDelete(cache->cached->mcxt);
	if (cache->name)
		pfree(cache->name);
	cache->cached = NULL;
	cache->name = NULL;
	cache->have_toast = false;
	cache->size = 0;
}

/*
 * Returns a decoder message as a sentence, capitalized unless its first
 * word is a field name such as feature_scale, which keeps its case.
 */
static char *
sentence(const char *message)
{
	char	   *result = psprintf("%s.", message);
	size_t		word = strcspn(result, " ");

	if (memchr(result, '_', word) == NULL)
		result[0] = pg_toupper((unsigned char) result[0]);
	return result;
}

static void
report_decode_error(HgnnDecodeStatus status, uint32 version,
					const char *message)
{
	char	   *detail = sentence(message);

	switch (status)
	{
		case HGNN_DECODE_OK:
			break;
		case HGNN_DECODE_TRUNCATED:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("hgnn model is truncated"),
					 errdetail_internal("%s", detail),
					 errhint("Pass the whole bytea that hgnn_fit returned.")));
			break;
		case HGNN_DECODE_BAD_MAGIC:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("value is not an hgnn model"),
					 errdetail_internal("%s", detail),
					 errhint("Pass a bytea that hgnn_fit returned.")));
			break;
		case HGNN_DECODE_NEWER_VERSION:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("hgnn model format version %u is newer than version %d, the newest this hgnn reads",
							version, HGNN_FORMAT_VERSION),
					 errhint("A newer version of the hgnn extension wrote this model. Install that version to use it.")));
			break;
		case HGNN_DECODE_BAD_CHECKSUM:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("hgnn model checksum does not match its bytes"),
					 errdetail("The model bytes were altered or damaged after hgnn_fit wrote them."),
					 errhint("Train the model again or restore it from a backup.")));
			break;
		case HGNN_DECODE_CORRUPT:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("hgnn model is corrupt"),
					 errdetail_internal("%s", detail),
					 errhint("Train the model again or restore it from a backup.")));
			break;
	}
}

/*
 * Checks the text fields that the checksum cannot vouch for, because a
 * forged model can carry a valid checksum.  Text keys must be valid in the
 * server encoding.  The stored options must be one JSON object, because
 * hgnn_model_info embeds them as they are.  Deletes mcxt before raising.
 */
static void
validate_text_fields(MemoryContext mcxt, const HgnnModel *model)
{
	const HgnnKeys *keysets[2] = {&model->labels, &model->tasks};
	int			i,
				k;

	for (i = 0; i < 2; i++)
	{
		const HgnnKeys *keys = keysets[i];

		if (keys->kind != HGNN_KEY_TEXT)
			continue;
		for (k = 0; k < keys->count; k++)
		{
			if (!pg_verifymbstr(keys->texts[k], strlen(keys->texts[k]), true))
			{
				MemoryContextDelete(mcxt);
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("hgnn model is corrupt"),
						 errdetail("%s %d is not valid in the server encoding %s.",
								   i == 0 ? "Label" : "Task", k + 1,
								   GetDatabaseEncodingName()),
						 errhint("Train the model again in this database.")));
			}
		}
	}
	if (model->info_json != NULL)
	{
		const char *p = model->info_json;
		JsonLexContext *lex;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		lex = makeJsonLexContextCstringLen(model->info_json,
										   strlen(model->info_json),
										   GetDatabaseEncoding(), false);
		if (*p != '{' || pg_parse_json(lex, &nullSemAction) != JSON_SUCCESS)
		{
			MemoryContextDelete(mcxt);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("hgnn model is corrupt"),
					 errdetail("The stored training options are not one JSON object."),
					 errhint("Train the model again or restore it from a backup.")));
		}
	}
}

/*
 * Decodes len bytes into a new child context of fn_mcxt and prepares the
 * model for prediction.  Raises an error for bytes that do not decode.
 */
static HgnnCachedModel *
decode_model(FunctionCallInfo fcinfo, const uint8 *bytes, Size len)
{
	MemoryContext mcxt;
	MemoryContext oldcontext;
	HgnnCachedModel *cached;
	HgnnDecodeStatus status;
	uint32		version;
	char		errbuf[256];

	mcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "hgnn model",
								 ALLOCSET_DEFAULT_SIZES);
	oldcontext = MemoryContextSwitchTo(mcxt);
	cached = palloc0(sizeof(HgnnCachedModel));
	cached->mcxt = mcxt;
	status = hgnn_decode(bytes, len, &cached->model, &version, errbuf,
						 sizeof(errbuf));
	MemoryContextSwitchTo(oldcontext);
	if (status != HGNN_DECODE_OK)
	{
		MemoryContextDelete(mcxt);
		report_decode_error(status, version, errbuf);
	}

	validate_text_fields(mcxt, &cached->model);

	oldcontext = MemoryContextSwitchTo(mcxt);
	hgnn_apply_blas_threads();
	hgnn_model_prepare(&cached->model);
	cached->format_version = version;
	cached->x = palloc(cached->model.cfg.n_features * sizeof(float));
	cached->work = palloc_extended(hgnn_predict_work_size(&cached->model) *
								   sizeof(hgnn_real), MCXT_ALLOC_HUGE);
	cached->proba = palloc(cached->model.cfg.n_classes * sizeof(double));
	MemoryContextSwitchTo(oldcontext);
	return cached;
}

HgnnCachedModel *
hgnn_model_from_bytea(FunctionCallInfo fcinfo, int argno)
{
	ModelCache *cache = get_cache(fcinfo);
	struct varlena *raw = (struct varlena *) PG_GETARG_POINTER(argno);
	struct varatt_external toast;
	bool		have_toast = false;
	bytea	   *bytes;
	const uint8 *data;
	Size		len;

	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		VARATT_EXTERNAL_GET_POINTER(toast, raw);
		have_toast = true;
		if (cache->cached && cache->name == NULL && cache->have_toast &&
			memcmp(&toast, &cache->toast, sizeof(toast)) == 0)
			return cache->cached;
	}

	bytes = (bytea *) pg_detoast_datum_packed(raw);
	data = (const uint8 *) VARDATA_ANY(bytes);
	len = VARSIZE_ANY_EXHDR(bytes);

	/*
	 * The whole value is compared, not its header: a copy with one altered
	 * byte in the body has the same header and must fail its checksum.
	 */
	if (cache->cached && cache->name == NULL && len == cache->size &&
		memcmp(data, cache->bytes, len) == 0)
	{
		/* the same model under another toast pointer, or inline */
		cache->have_toast = have_toast;
		if (have_toast)
			cache->toast = toast;
	}
	else
	{
		HgnnCachedModel *cached = decode_model(fcinfo, data, len);

		cache_clear(cache);
		cache->cached = cached;
		cache->size = len;
		cache->bytes = MemoryContextAlloc(cached->mcxt, len);
		memcpy(cache->bytes, data, len);
		cache->have_toast = have_toast;
		if (have_toast)
			cache->toast = toast;
	}

	if ((Pointer) bytes != (Pointer) raw)
		pfree(bytes);
	return cache->cached;
}

/*
 * Returns true when the active snapshot has the same xmin, xmax and
 * in-progress arrays as the one of the cached lookup.  A transaction that
 * commits in between, such as another session's deployment, is in progress
 * for the older snapshot or at or past its xmax, and is neither for the
 * newer one.  So equal snapshots mean that no transaction committed in
 * between, and with an equal command id the catalog query returns the same
 * row.
 */
static bool
snapshot_matches(const ModelCache *cache)
{
	Snapshot	snap;

	if (!cache->have_snapshot || !ActiveSnapshotSet())
		return false;
	snap = GetActiveSnapshot();
	return snap->xmin == cache->snap_xmin &&
		snap->xmax == cache->snap_xmax &&
		snap->xcnt == cache->snap_xcnt &&
		snap->subxcnt == cache->snap_subxcnt &&
		memcmp(snap->xip, cache->snap_xip,
			   snap->xcnt * sizeof(TransactionId)) == 0 &&
		memcmp(snap->subxip, cache->snap_subxip,
			   snap->subxcnt * sizeof(TransactionId)) == 0;
}

static void
snapshot_remember(ModelCache *cache, MemoryContext mcxt)
{
	Snapshot	snap;

	if (cache->snap_xip)
		pfree(cache->snap_xip);
	if (cache->snap_subxip)
		pfree(cache->snap_subxip);
	cache->snap_xip = NULL;
	cache->snap_subxip = NULL;
	cache->have_snapshot = ActiveSnapshotSet();
	if (!cache->have_snapshot)
		return;

	snap = GetActiveSnapshot();
	cache->snap_xmin = snap->xmin;
	cache->snap_xmax = snap->xmax;
	cache->snap_xcnt = snap->xcnt;
	cache->snap_subxcnt = snap->subxcnt;
	cache->snap_xip = MemoryContextAlloc(mcxt, (snap->xcnt + 1) *
										 sizeof(TransactionId));
	cache->snap_subxip = MemoryContextAlloc(mcxt, (snap->subxcnt + 1) *
											sizeof(TransactionId));
	if (snap->xcnt > 0)
		memcpy(cache->snap_xip, snap->xip,
			   snap->xcnt * sizeof(TransactionId));
	if (snap->subxcnt > 0)
		memcpy(cache->snap_subxip, snap->subxip,
			   snap->subxcnt * sizeof(TransactionId));
}

/*
 * Runs query with the model name as $1 in an SPI connection and returns
 * the number of rows, at most one.
 */
static uint64
run_name_query(const char *query, const char *name)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];

	args[0] = CStringGetTextDatum(name);
	if (SPI_execute_with_args(query, 1, argtypes, args, NULL, true, 1) !=
		SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", query);
	return SPI_processed;
}

/*
 * Selects the deployed version of name into SPI_tuptable, or raises an
 * error when the name has no version or none is deployed.  The catalog of
 * extension version 0.1.0 has no hgnn_deployments table, and there the
 * latest version is used, as that version did.
 */
static void
select_deployed_model(Oid nsp, const char *name)
{
	const char *schema = quote_identifier(get_namespace_name(nsp));
	char	   *query;

	if (!OidIsValid(get_relname_relid("hgnn_deployments", nsp)))
	{
		query = psprintf("SELECT model FROM %s.hgnn_models WHERE name = $1 "
						 "ORDER BY version DESC LIMIT 1", schema);
		if (run_name_query(query, name) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("hgnn model \"%s\" does not exist", name),
					 errhint("Train it with hgnn_train, or list the models with SELECT name, version FROM hgnn_models.")));
		return;
	}

	/* the current deployment is the latest one not rolled back */
	query = psprintf("SELECT m.model FROM %s.hgnn_deployments d "
					 "JOIN %s.hgnn_models m "
					 "ON m.name = d.name AND m.version = d.version "
					 "WHERE d.name = $1 AND d.rolled_back_at IS NULL "
					 "ORDER BY d.id DESC LIMIT 1", schema, schema);
	if (run_name_query(query, name) > 0)
		return;

	query = psprintf("SELECT 1 FROM %s.hgnn_models WHERE name = $1 LIMIT 1",
					 schema);
	if (run_name_query(query, name) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("hgnn model \"%s\" does not exist", name),
				 errhint("Train it with hgnn_train, or list the models with SELECT name, version FROM hgnn_models.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("hgnn model \"%s\" has no deployed version", name),
			 errhint("Deploy one with SELECT hgnn_deploy(%s, version), choosing the version in the view hgnn_model_versions.",
					 quote_literal_cstr(name))));
}

HgnnCachedModel *
hgnn_model_from_name(FunctionCallInfo fcinfo, int argno)
{
	ModelCache *cache = get_cache(fcinfo);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	LocalTransactionId lxid = MyProc->lxid;
	CommandId	cid = GetCurrentCommandId(false);
	Oid			nsp;
	bool		isnull;
	Datum		value;
	bytea	   *bytes;
	HgnnCachedModel *cached;

	/*
	 * PL/pgSQL may evaluate one expression in several statements of a
	 * transaction with the same fn_extra, so the snapshot is part of the
	 * key: a deployment committed by another session is seen by the next
	 * statement.
	 */
	if (cache->cached && cache->name != NULL &&
		strcmp(cache->name, name) == 0 &&
		cache->lxid == lxid && cache->cid == cid &&
		snapshot_matches(cache))
	{
		pfree(name);
		return cache->cached;
	}

	/* the tables are in the schema of this function, the extension's */
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	select_deployed_model(nsp, name);
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						  &isnull);
	if (isnull)
		elog(ERROR, "hgnn model \"%s\" has a NULL model column", name);

	/* the detoasted copy goes away with SPI_finish */
	bytes = DatumGetByteaPP(value);
	cached = decode_model(fcinfo, (const uint8 *) VARDATA_ANY(bytes),
						  VARSIZE_ANY_EXHDR(bytes));
	SPI_finish();

	cache_clear(cache);
	cache->cached = cached;
	cache->name = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, name);
	cache->lxid = lxid;
	cache->cid = cid;
	snapshot_remember(cache, fcinfo->flinfo->fn_mcxt);
	pfree(name);
	return cached;
}

/* ---------------------------------------------------------------- */
/* hgnn_model_classes and hgnn_model_info								*/
/* ---------------------------------------------------------------- */

static Datum
model_classes(const HgnnModel *model)
{
	int			count = model->labels.count;
	Datum	   *values;
	int			i;

	if (model->cfg.kind == HGNN_KIND_REGRESSION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("hgnn_model_classes is not defined for a regression model"),
				 errhint("A regression model predicts a number, not a class: use hgnn_predict.")));
	values = palloc(count * sizeof(Datum));

	for (i = 0; i < count; i++)
		values[i] = CStringGetTextDatum(hgnn_key_to_cstring(&model->labels,
															i));
	return PointerGetDatum(construct_array(values, count, TEXTOID, -1,
										   false, TYPALIGN_INT));
}

Datum
hgnn_model_classes_bytea(PG_FUNCTION_ARGS)
{
	return model_classes(&hgnn_model_from_bytea(fcinfo, 0)->model);
}

Datum
hgnn_model_classes_name(PG_FUNCTION_ARGS)
{
	return model_classes(&hgnn_model_from_name(fcinfo, 0)->model);
}

static void
append_keys_json(StringInfo buf, const HgnnKeys *keys)
{
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < keys->count; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		if (keys->kind == HGNN_KEY_TEXT)
			escape_json(buf, keys->texts[i]);
		else
			appendStringInfoString(buf, hgnn_key_to_cstring(keys, i));
	}
	appendStringInfoChar(buf, ']');
}

static void
append_doubles_json(StringInfo buf, const double *values, int count)
{
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < count; i++)
	{
		if (i > 0)
			appendStringInfoString(buf, ", ");
		hgnn_append_json_double(buf, values[i]);
	}
	appendStringInfoChar(buf, ']');
}


/*
 * Appends "key": name to the JSON object text in buf unless the stored
 * options already contain key.
 */
static void
add_missing_option(StringInfo buf, Datum options, const char *key,
				   const char *name)
{
	if (DatumGetBool(DirectFunctionCall2(jsonb_exists, options,
										 CStringGetTextDatum(key))))
		return;
	appendStringInfoString(buf, buf->len > 1 ? ", " : "");
	escape_json(buf, key);
	appendStringInfoString(buf, ": ");
	escape_json(buf, name);
}

/*
 * Returns the stored training options of model as JSON text.  Models of
 * format version 3 and older trained with the inverse schedule, version 4
 * and older with tanh, and version 5 and older with weight_decay_scale
 * none, each before its option existed, so their options lack those keys.
 * This adds them from the decoded configuration, so training again with
 * the options gives the same weights whatever the defaults have become.
 */
static char *
options_json(const HgnnModel *model)
{
	Datum		options;
	StringInfoData missing;

	if (model->info_json == NULL)
		return "null";
	options = DirectFunctionCall1(jsonb_in, CStringGetDatum(model->info_json));
	initStringInfo(&missing);
	appendStringInfoChar(&missing, '{');
	add_missing_option(&missing, options, "lr_schedule",
					   hgnn_schedule_name(model->cfg.lr_schedule));
	add_missing_option(&missing, options, "activation",
					   hgnn_activation_name(model->cfg.activation));
	add_missing_option(&missing, options, "weight_decay_scale",
					   hgnn_decay_scale_name(model->cfg.weight_decay_scale));
	if (missing.len == 1)
		return model->info_json;
	appendStringInfoChar(&missing, '}');
	options = DirectFunctionCall2(jsonb_concat, options,
								  DirectFunctionCall1(jsonb_in,
													  CStringGetDatum(missing.data)));
	return DatumGetCString(DirectFunctionCall1(jsonb_out, options));
}

/*
 * Appends the base model, its trace_norm and its effective ranks, with
 * null for each value that the base model does not use.  Tucker resolves
 * task_rank and class_rank 0 to min(rank, tasks) and min(rank, classes).
 */
static void
append_base_model_json(StringInfo buf, const HgnnConfig *cfg)
{
	bool		tucker = cfg->base_model == HGNN_BASE_TUCKER;

	appendStringInfoString(buf, ", \"base_model\": ");
	escape_json(buf, hgnn_base_model_name(cfg->base_model));
	appendStringInfoString(buf, ", \"trace_norm\": ");
	if (cfg->base_model == HGNN_BASE_TNRMTL)
		hgnn_append_json_double(buf, cfg->trace_norm);
	else
		appendStringInfoString(buf, "null");
	if (hgnn_base_factored(cfg))
		appendStringInfo(buf, ", \"rank\": %d", cfg->rank);
	else
		appendStringInfoString(buf, ", \"rank\": null");
	if (tucker)
		appendStringInfo(buf, ", \"task_rank\": %d, \"class_rank\": %d",
						 hgnn_base_task_rank(cfg), hgnn_base_class_rank(cfg));
	else
		appendStringInfoString(buf, ", \"task_rank\": null, \"class_rank\": null");
}

static Datum
model_info(const HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	const HgnnConfig *cfg = &model->cfg;
	bool		regression = cfg->kind == HGNN_KIND_REGRESSION;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"kind\": \"%s\", \"format_version\": %u",
					 regression ? "regression" : "classification",
					 cached->format_version);
	appendStringInfo(&buf, ", \"n_features\": %d, \"n_tasks\": %d",
					 cfg->n_features, cfg->n_tasks);
	if (!regression)
		appendStringInfo(&buf, ", \"n_classes\": %d", cfg->n_classes);
	appendStringInfo(&buf, ", \"hidden\": %d, \"gat_hidden\": %d, \"task_embedding\": %d, \"class_embedding\": %d",
					 cfg->hidden, cfg->gat_hidden, cfg->task_embedding,
					 cfg->class_embedding);
	appendStringInfoString(&buf, ", \"activation\": ");
	escape_json(&buf, hgnn_activation_name(cfg->activation));
	appendStringInfo(&buf, ", \"augment\": %s, \"augmented_width\": %d, \"n_parameters\": %zu",
					 cfg->augment ? "true" : "false",
					 model->layout.augmented_width, model->layout.total);
	append_base_model_json(&buf, cfg);
	appendStringInfoString(&buf, ", \"label_type\": ");
	escape_json(&buf, hgnn_key_kind_name(model->labels.kind));
	appendStringInfoString(&buf, ", \"task_type\": ");
	escape_json(&buf, hgnn_key_kind_name(model->tasks.kind));
	appendStringInfoString(&buf, ", \"tasks\": ");
	append_keys_json(&buf, &model->tasks);
	if (regression)
	{
		/* per task, in the order of "tasks": the units of the predictions */
		appendStringInfoString(&buf, ", \"target_mean\": ");
		append_doubles_json(&buf, model->target_mean, cfg->n_tasks);
		appendStringInfoString(&buf, ", \"target_sd\": ");
		append_doubles_json(&buf, model->target_scale, cfg->n_tasks);
	}
	else
	{
		appendStringInfoString(&buf, ", \"classes\": ");
		append_keys_json(&buf, &model->labels);
	}
	appendStringInfo(&buf, ", \"options\": %s", options_json(model));
	appendStringInfoString(&buf, ", \"sigma\": ");
	if (regression)
		appendStringInfoString(&buf, "null");	/* no kernel graph */
	else
		hgnn_append_json_double(&buf, cfg->sigma);
	/* the lambda of the steps, after weight_decay_scale */
	appendStringInfoString(&buf, ", \"weight_decay\": ");
	hgnn_append_json_double(&buf,
							hgnn_effective_weight_decay(cfg, model->rows_used));
	appendStringInfoString(&buf, ", \"final_loss\": ");
	hgnn_append_json_double(&buf, model->final_loss);
	appendStringInfo(&buf, ", \"rows_used\": " INT64_FORMAT
					 ", \"rows_skipped\": " INT64_FORMAT,
					 (int64) model->rows_used, (int64) model->rows_skipped);
	appendStringInfoString(&buf, ", \"train_seconds\": ");
	hgnn_append_json_double(&buf, model->train_seconds);
	appendStringInfo(&buf, ", \"weights_hash\": \"%016llx\"}",
					 (unsigned long long) hgnn_model_weights_hash(model));

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

Datum
hgnn_model_info_bytea(PG_FUNCTION_ARGS)
{
	return model_info(hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_model_info_name(PG_FUNCTION_ARGS)
{
	return model_info(hgnn_model_from_name(fcinfo, 0));
}
