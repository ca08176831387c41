/*
 * predict_sql.c
 *		hgnn_predict, hgnn_predict_label and hgnn_predict_proba, each for a
 *		bytea model and for a model named in the catalog.
 *
 * The features and task arguments are declared "any".  The model is
 * decoded once per query (model_sql.c), and scoring a row allocates only in
 * the per-row memory context.  A regression model returns its value in the
 * units of the training targets, from hgnn_predict as a number and from
 * hgnn_predict_label as text.  It has no class probabilities.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "feature_array.h"
#include "hgnn.h"
#include "keys.h"
#include "model_sql.h"

PG_FUNCTION_INFO_V1(hgnn_predict_bytea);
PG_FUNCTION_INFO_V1(hgnn_predict_name);
PG_FUNCTION_INFO_V1(hgnn_predict_label_bytea);
PG_FUNCTION_INFO_V1(hgnn_predict_label_name);
PG_FUNCTION_INFO_V1(hgnn_predict_proba_bytea);
PG_FUNCTION_INFO_V1(hgnn_predict_proba_name);
PG_FUNCTION_INFO_V1(hgnn_predict_proba_label_bytea);
PG_FUNCTION_INFO_V1(hgnn_predict_proba_label_name);

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

/*
 * Reads the features in argument 1 into cached->x and returns the index of
 * the task in argument 2.
 */
static int
read_row(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	Oid			feature_type = arg_type(fcinfo, 1);
	Oid			task_type = arg_type(fcinfo, 2);
	Oid			elemtype = hgnn_feature_elem_type(feature_type);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int			n = hgnn_feature_count(arr);
	int			task;

	if (n != model->cfg.n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature array has %d elements, but the model has %d features",
						n, model->cfg.n_features),
				 errhint("Pass the features in the same order and number as in training.")));
	hgnn_read_features(arr, elemtype, cached->x);

	task = hgnn_keys_lookup(&model->tasks, PG_GETARG_DATUM(2), task_type,
							false, "task");
	if (task < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task %s is not in the model",
						hgnn_key_datum_text(PG_GETARG_DATUM(2), task_type)),
				 errhint("The model was trained on tasks %s.",
						 hgnn_keys_list(&model->tasks, KEYS_IN_HINT))));
	if ((Pointer) arr != PG_GETARG_POINTER(1))
		pfree(arr);
	return task;
}

/*
 * Raises the error for a row whose scores are not finite: a feature far
 * outside the training range overflows after standardization, or the
 * weights themselves are extreme.
 */
void
hgnn_report_unscorable(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("row cannot be scored: its standardized features or the model's outputs are not finite"),
			 errdetail("A feature value far outside the range seen in training overflows after standardization."),
			 errhint("Check the row's features against the training data, for example for placeholder values such as 3.4e38.")));
}

/*
 * Scores the row in arguments 1 (features) and 2 (task) with a classifier,
 * fills cached->proba and returns the index of the predicted class.
 */
static int
score_row(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	int			task = read_row(fcinfo, cached);

	int			k;

	hgnn_apply_blas_threads();
	k = hgnn_predict_row(&cached->model, cached->x, task, cached->work,
						 cached->proba);
	if (k < 0)
		hgnn_report_unscorable();
	return k;
}

/* Returns the prediction of a regression model for the row. */
static double
score_value(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	int			task = read_row(fcinfo, cached);

	double		value;

	hgnn_apply_blas_threads();
	value = hgnn_predict_value(&cached->model, cached->x, task, cached->work);
	if (!isfinite(value))
		hgnn_report_unscorable();
	return value;
}

static bool
is_regression(const HgnnCachedModel *cached)
{
	return cached->model.cfg.kind == HGNN_KIND_REGRESSION;
}

/* Raises the error of a probability function called on a regression model. */
static void
reject_regression(const HgnnCachedModel *cached)
{
	if (is_regression(cached))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("hgnn_predict_proba is not defined for a regression model"),
				 errhint("A regression model predicts a number, not class probabilities: use hgnn_predict.")));
}

static Datum
predict_number(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnKeys *labels = &cached->model.labels;
	int			k;

	if (is_regression(cached))
		PG_RETURN_FLOAT8(score_value(fcinfo, cached));
	if (labels->kind == HGNN_KEY_TEXT)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("hgnn_predict cannot return the text labels of this model as numbers"),
				 errhint("Use hgnn_predict_label, which returns the label as text.")));
	k = score_row(fcinfo, cached);

	/* NOTE: integer labels beyond 2^53 lose precision as double */
	PG_RETURN_FLOAT8((double) labels->ints[k]);
}

Datum
hgnn_predict_bytea(PG_FUNCTION_ARGS)
{
	return predict_number(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_predict_name(PG_FUNCTION_ARGS)
{
	return predict_number(fcinfo, hgnn_model_from_name(fcinfo, 0));
}

static Datum
predict_label(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	int			k;

	/* as float8 output writes it: exact and shortest by default */
	if (is_regression(cached))
	{
		double		value = score_value(fcinfo, cached);

		PG_RETURN_TEXT_P(cstring_to_text(float8out_internal(value)));
	}
	k = score_row(fcinfo, cached);

	PG_RETURN_TEXT_P(cstring_to_text(hgnn_key_to_cstring(&cached->model.labels,
														 k)));
}

Datum
hgnn_predict_label_bytea(PG_FUNCTION_ARGS)
{
	return predict_label(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_predict_label_name(PG_FUNCTION_ARGS)
{
	return predict_label(fcinfo, hgnn_model_from_name(fcinfo, 0));
}

/* Returns the probabilities in the order of hgnn_model_classes. */
static Datum
predict_proba(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	int			count = cached->model.cfg.n_classes;
	Datum	   *values;
	int			k;

	reject_regression(cached);
	values = palloc(count * sizeof(Datum));
	score_row(fcinfo, cached);
	for (k = 0; k < count; k++)
		values[k] = Float4GetDatum((float4) cached->proba[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(values, count, FLOAT4OID,
										  sizeof(float4), true,
										  TYPALIGN_INT));
}

Datum
hgnn_predict_proba_bytea(PG_FUNCTION_ARGS)
{
	return predict_proba(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_predict_proba_name(PG_FUNCTION_ARGS)
{
	return predict_proba(fcinfo, hgnn_model_from_name(fcinfo, 0));
}

/* Returns the probability of the class in argument 3. */
static Datum
predict_proba_label(FunctionCallInfo fcinfo, HgnnCachedModel *cached)
{
	const HgnnKeys *labels = &cached->model.labels;
	Oid			label_type = arg_type(fcinfo, 3);
	int			k;

	reject_regression(cached);
	k = hgnn_keys_lookup(labels, PG_GETARG_DATUM(3), label_type, true,
						 "label");
	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("class %s is not in the model",
						hgnn_key_datum_text(PG_GETARG_DATUM(3), label_type)),
				 errhint("The model was trained on classes %s.",
						 hgnn_keys_list(labels, KEYS_IN_HINT))));
	score_row(fcinfo, cached);
	PG_RETURN_FLOAT8(cached->proba[k]);
}

Datum
hgnn_predict_proba_label_bytea(PG_FUNCTION_ARGS)
{
	return predict_proba_label(fcinfo, hgnn_model_from_bytea(fcinfo, 0));
}

Datum
hgnn_predict_proba_label_name(PG_FUNCTION_ARGS)
{
	return predict_proba_label(fcinfo, hgnn_model_from_name(fcinfo, 0));
}
