/*
 * inspect_sql.c
 *		hgnn_augment, hgnn_task_embeddings, hgnn_class_embeddings,
 *		hgnn_task_relations and hgnn_training_curve, each for a bytea model
 *		and for a model named in the catalog.
 *
 * The set-returning functions return the user's own task and label values
 * as text, in the order of the model's sorted keys.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "feature_array.h"
#include "hgnn.h"
#include "inspect.h"
#include "keys.h"
#include "model_sql.h"

PG_FUNCTION_INFO_V1(hgnn_augment_bytea);
PG_FUNCTION_INFO_V1(hgnn_augment_name);
PG_FUNCTION_INFO_V1(hgnn_augment_label_bytea);
PG_FUNCTION_INFO_V1(hgnn_augment_label_name);
PG_FUNCTION_INFO_V1(hgnn_task_embeddings_bytea);
PG_FUNCTION_INFO_V1(hgnn_task_embeddings_name);
PG_FUNCTION_INFO_V1(hgnn_class_embeddings_bytea);
PG_FUNCTION_INFO_V1(hgnn_class_embeddings_name);
PG_FUNCTION_INFO_V1(hgnn_task_relations_bytea);
PG_FUNCTION_INFO_V1(hgnn_task_relations_name);
PG_FUNCTION_INFO_V1(hgnn_training_curve_bytea);
PG_FUNCTION_INFO_V1(hgnn_training_curve_name);

/* values listed in a hint about an unknown task or class */
#define KEYS_IN_HINT 10

static Oid
arg_type(FunctionCallInfo fcinfo, int argno)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (!OidIsValid(typid))
		elog(ERROR, "could not determine the type of argument %d", argno + 1);
	return typid;
}

static Datum
real_array(const hgnn_real *values, int count)
{
	Datum	   *datums = palloc(count * sizeof(Datum));
	int			i;

	for (i = 0; i < count; i++)
		datums[i] = Float4GetDatum((float4) values[i]);
	return PointerGetDatum(construct_array(datums, count, FLOAT4OID,
										   sizeof(float4), true,
										   TYPALIGN_INT));
}

/* ---------------------------------------------------------------- */
/* hgnn_augment														*/
/* ---------------------------------------------------------------- */

/* Reads the features of argument 1 into cached->x. */
static void
read_features(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	Oid			elemtype = hgnn_feature_elem_type(arg_type(fcinfo, 1));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int			n = hgnn_feature_count(arr);

	if (n != cached->model.cfg.n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature array has %d elements, but the model has %d features",
						n, cached->model.cfg.n_features),
				 errhint("Pass the features in the same order and number as in training.")));
	hgnn_read_features(arr, elemtype, cached->x);
}

/* Returns the index of the task in argument argno. */
static int
read_task(FunctionCallInfo fcinfo, int argno, const HgnnModel *model)
{
	Oid			typid = arg_type(fcinfo, argno);
	int			task;

	task = hgnn_keys_lookup(&model->tasks, PG_GETARG_DATUM(argno), typid,
							false, "task");
	if (task < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task %s is not in the model",
						hgnn_key_datum_text(PG_GETARG_DATUM(argno), typid)),
				 errhint("The model was trained on tasks %s.",
						 hgnn_keys_list(&model->tasks, KEYS_IN_HINT))));
	return task;
}

/*
 * Returns the index of the class in argument argno, which must have had
 * training rows in task: the class embedding of any other pair is zero.
 */
static int
read_class(FunctionCallInfo fcinfo, int argno, const HgnnModel *model,
		   int task)
{
	Oid			typid = arg_type(fcinfo, argno);
	int			k;

	if (model->cfg.kind != HGNN_KIND_CLASSIFIER)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("a regression model has no classes, so hgnn_augment takes no label"),
				 errhint("Call hgnn_augment(model, features, task).")));
	k = hgnn_keys_lookup(&model->labels, PG_GETARG_DATUM(argno), typid, true,
						 "label");
	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("class %s is not in the model",
						hgnn_key_datum_text(PG_GETARG_DATUM(argno), typid)),
				 errhint("The model was trained on classes %s.",
						 hgnn_keys_list(&model->labels, KEYS_IN_HINT))));
	if (!model->present[(size_t) task * model->cfg.n_classes + k])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("class %s had no training rows in task %s, so it has no class embedding",
						hgnn_key_display(&model->labels, k),
						hgnn_key_display(&model->tasks, task)),
				 errhint("Omit the label to use the class that prediction picks.")));
	return k;
}

/*
 * Returns [H0 ; E2_t ; C2_(t,k)] of the row in arguments 1 (features) and
 * 2 (task).  k is the class in argument 3 when with_label, else the class
 * that prediction picks.
 */
static Datum
augment(FunctionCallInfo fcinfo, HgnnCachedModel *cached, bool with_label)
{
	const HgnnModel *model = &cached->model;
	int			width = hgnn_augment_width(model);
	hgnn_real  *out = palloc(width * sizeof(hgnn_real));
	hgnn_real  *work = cached->work;
	int			task;
	int			k = -1;

	read_features(fcinfo, cached);
	task = read_task(fcinfo, 2, model);
	if (with_label)
		k = read_class(fcinfo, 3, model, task);

	if (hgnn_inspect_work_size(model) > hgnn_predict_work_size(model))
		work = palloc_extended(hgnn_inspect_work_size(model) *
							   sizeof(hgnn_real), MCXT_ALLOC_HUGE);
	hgnn_apply_blas_threads();
	if (!with_label && hgnn_has_class_embeddings(model))
	{
		k = hgnn_choose_class(model, cached->x, task, work, cached->proba);
		if (k < 0)
			hgnn_report_unscorable();
	}
	if (hgnn_augment_row(model, cached->x, task, k, work, out) != 0)
		hgnn_report_unscorable();
	return real_array(out, width);
}

Datum
hgnn_augment_bytea(PG_FUNCTION_ARGS)
{
	return augment(fcinfo, hgnn_model_from_bytea(fcinfo, 0), false);
}

Datum
hgnn_augment_name(PG_FUNCTION_ARGS)
{
	return augment(fcinfo, hgnn_model_from_name(fcinfo, 0), false);
}

Datum
hgnn_augment_label_bytea(PG_FUNCTION_ARGS)
{
	return augment(fcinfo, hgnn_model_from_bytea(fcinfo, 0), true);
}

Datum
hgnn_augment_label_name(PG_FUNCTION_ARGS)
{
	return augment(fcinfo, hgnn_model_from_name(fcinfo, 0), true);
}

/* ---------------------------------------------------------------- */
/* Embeddings and task relations										*/
/* ---------------------------------------------------------------- */

static void
require_augment(const HgnnModel *model, const char *what)
{
	if (!model->cfg.augment)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the model was trained with \"augment\": false, so it has no %s",
						what),
				 errhint("Train with \"augment\": true, the default.")));
}

static Datum
task_embeddings(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			t;

	require_augment(model, "task embeddings");
	InitMaterializedSRF(fcinfo, 0);
	for (t = 0; t < model->cfg.n_tasks; t++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(hgnn_key_to_cstring(&model->tasks, t));
		values[1] = real_array(hgnn_task_embedding(model, t),
							   model->cfg.task_embedding);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	return (Datum) 0;
}

Datum
hgnn_task_embeddings_bytea(PG_FUNCTION_ARGS)
{
	return task_embeddings(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_task_embeddings_name(PG_FUNCTION_ARGS)
{
	return task_embeddings(fcinfo, hgnn_model_from_name(fcinfo, 0));
}

/* Returns one row per (task, class) pair that had training rows. */
static Datum
class_embeddings(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			C = model->cfg.n_classes;
	int			t,
				k;

	if (model->cfg.kind != HGNN_KIND_CLASSIFIER)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("a regression model has no class embeddings"),
				 errhint("Use hgnn_task_embeddings.")));
	require_augment(model, "class embeddings");
	InitMaterializedSRF(fcinfo, 0);
	for (t = 0; t < model->cfg.n_tasks; t++)
	{
		for (k = 0; k < C; k++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			if (!model->present[(size_t) t * C + k])
				continue;
			values[0] = CStringGetTextDatum(hgnn_key_to_cstring(&model->tasks,
																t));
			values[1] = CStringGetTextDatum(hgnn_key_to_cstring(&model->labels,
																k));
			values[2] = real_array(hgnn_class_embedding(model, t, k),
								   model->cfg.class_embedding);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
								 nulls);
		}
	}
	return (Datum) 0;
}

Datum
hgnn_class_embeddings_bytea(PG_FUNCTION_ARGS)
{
	return class_embeddings(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_class_embeddings_name(PG_FUNCTION_ARGS)
{
	return class_embeddings(fcinfo, hgnn_model_from_name(fcinfo, 0));
}

/* Returns one row per ordered pair of tasks, T x T rows. */
static Datum
task_relations(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			T = model->cfg.n_tasks;
	int			t,
				u;

	require_augment(model, "task relations");
	if (model->task_relation == NULL && cached->format_version < 2)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the model has no task relations"),
				 errdetail("Models in format version %u do not store the attention between tasks.",
						   cached->format_version),
				 errhint("Train the model again with this version of hgnn.")));
	if (model->task_relation == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the model has no task relations"),
				 errdetail("Its training did not record the attention between tasks.")));

	InitMaterializedSRF(fcinfo, 0);
	for (t = 0; t < T; t++)
	{
		for (u = 0; u < T; u++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			values[0] = CStringGetTextDatum(hgnn_key_to_cstring(&model->tasks,
																t));
			values[1] = CStringGetTextDatum(hgnn_key_to_cstring(&model->tasks,
																u));
			values[2] = Float8GetDatum(hgnn_task_relation_weight(model, t, u));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
								 nulls);
		}
	}
	return (Datum) 0;
}

Datum
hgnn_task_relations_bytea(PG_FUNCTION_ARGS)
{
	return task_relations(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_task_relations_name(PG_FUNCTION_ARGS)
{
	return task_relations(fcinfo, hgnn_model_from_name(fcinfo, 0));
}

/* ---------------------------------------------------------------- */
/* hgnn_training_curve													*/
/* ---------------------------------------------------------------- */

/* Returns the mean step loss of every epoch, or NULL when not recorded. */
static Datum
training_curve(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	int			count = model->cfg.epochs;
	Datum	   *values;
	int			i;

	if (model->epoch_loss == NULL)
		PG_RETURN_NULL();
	values = palloc(count * sizeof(Datum));
	for (i = 0; i < count; i++)
		values[i] = Float8GetDatum(model->epoch_loss[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, count, FLOAT8OID,
										  sizeof(float8), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}

Datum
hgnn_training_curve_bytea(PG_FUNCTION_ARGS)
{
	return training_curve(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_training_curve_name(PG_FUNCTION_ARGS)
{
	return training_curve(fcinfo, hgnn_model_from_name(fcinfo, 0));
}
