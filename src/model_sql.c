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
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "encode.h"
#include "hgnn.h"
#include "keys.h"
#include "model_sql.h"
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
	uint8		header[HGNN_HEADER_SIZE];	/* magic to body checksum */

	/* key of a model looked up by name, with name NULL for a bytea model */
	char	   *name;
	LocalTransactionId lxid;
	CommandId	cid;
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

/* Returns a decoder message as a sentence: capitalized, with a period. */
static char *
sentence(const char *message)
{
	char	   *result = psprintf("%s.", message);

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

	if (cache->cached && cache->name == NULL && len == cache->size &&
		len >= HGNN_HEADER_SIZE &&
		memcmp(data, cache->header, HGNN_HEADER_SIZE) == 0)
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
		memcpy(cache->header, data, HGNN_HEADER_SIZE);
		cache->have_toast = have_toast;
		if (have_toast)
			cache->toast = toast;
	}

	if ((Pointer) bytes != (Pointer) raw)
		pfree(bytes);
	return cache->cached;
}

HgnnCachedModel *
hgnn_model_from_name(FunctionCallInfo fcinfo, int argno)
{
	ModelCache *cache = get_cache(fcinfo);
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	LocalTransactionId lxid = MyProc->lxid;
	CommandId	cid = GetCurrentCommandId(false);
	Oid			nsp;
	char	   *query;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		isnull;
	Datum		value;
	bytea	   *bytes;
	HgnnCachedModel *cached;

	if (cache->cached && cache->name != NULL &&
		strcmp(cache->name, name) == 0 &&
		cache->lxid == lxid && cache->cid == cid)
	{
		pfree(name);
		return cache->cached;
	}

	/* the table is in the schema of this function, the extension's */
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	query = psprintf("SELECT model FROM %s.hgnn_models WHERE name = $1 "
					 "ORDER BY version DESC LIMIT 1",
					 quote_identifier(get_namespace_name(nsp)));
	args[0] = CStringGetTextDatum(name);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(query, 1, argtypes, args, NULL, true, 1) !=
		SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed: %s", query);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("hgnn model \"%s\" does not exist", name),
				 errhint("Train it with hgnn_train, or list the models with SELECT name, version FROM hgnn_models.")));
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
	Datum	   *values = palloc(count * sizeof(Datum));
	int			i;

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

static Datum
model_info(const HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	const HgnnConfig *cfg = &model->cfg;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"kind\": \"classifier\", \"format_version\": %u",
					 cached->format_version);
	appendStringInfo(&buf, ", \"n_features\": %d, \"n_tasks\": %d, \"n_classes\": %d",
					 cfg->n_features, cfg->n_tasks, cfg->n_classes);
	appendStringInfo(&buf, ", \"hidden\": %d, \"gat_hidden\": %d, \"task_embedding\": %d, \"class_embedding\": %d",
					 cfg->hidden, cfg->gat_hidden, cfg->task_embedding,
					 cfg->class_embedding);
	appendStringInfo(&buf, ", \"augment\": %s, \"augmented_width\": %d, \"n_parameters\": %zu",
					 cfg->augment ? "true" : "false",
					 model->layout.augmented_width, model->layout.total);
	appendStringInfoString(&buf, ", \"label_type\": ");
	escape_json(&buf, hgnn_key_kind_name(model->labels.kind));
	appendStringInfoString(&buf, ", \"task_type\": ");
	escape_json(&buf, hgnn_key_kind_name(model->tasks.kind));
	appendStringInfoString(&buf, ", \"tasks\": ");
	append_keys_json(&buf, &model->tasks);
	appendStringInfoString(&buf, ", \"classes\": ");
	append_keys_json(&buf, &model->labels);
	appendStringInfo(&buf, ", \"options\": %s",
					 model->info_json ? model->info_json : "null");
	appendStringInfoString(&buf, ", \"sigma\": ");
	hgnn_append_json_double(&buf, cfg->sigma);
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
