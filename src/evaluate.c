/*
 * evaluate.c
 *		hgnn_evaluate(model, features, label, task): an aggregate that
 *		scores rows with a model and returns their metrics as jsonb.
 *
 * Classifiers get accuracy, error, macro F1 and log loss, and regression
 * models the mean squared error, mean absolute error and R^2, over all
 * rows and per task.  The state keeps counters only, so it has a fixed
 * size and merges across parallel workers.  It also keeps the model's task
 * and class values as text for the output, and the model's weights hash to
 * reject a merge of rows scored by different models.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "evaluate.h"
#include "feature_array.h"
#include "hgnn.h"
#include "keys.h"
#include "model_sql.h"
#include "options.h"

PG_FUNCTION_INFO_V1(hgnn_evaluate_trans_bytea);
PG_FUNCTION_INFO_V1(hgnn_evaluate_trans_name);
PG_FUNCTION_INFO_V1(hgnn_evaluate_combine);
PG_FUNCTION_INFO_V1(hgnn_evaluate_serialize);
PG_FUNCTION_INFO_V1(hgnn_evaluate_deserialize);
PG_FUNCTION_INFO_V1(hgnn_evaluate_final);

/* values listed in a hint about an unknown task or class */
#define KEYS_IN_HINT 10

/* ---------------------------------------------------------------- */
/* Counters and metrics, plain C										*/
/* ---------------------------------------------------------------- */

void
hgnn_eval_add_class(HgnnEvalCounts *counts, int task, int true_class,
					int predicted_class, double true_probability)
{
	HgnnEvalTask *stats = &counts->tasks[task];
	size_t		row = (size_t) task * counts->n_classes;

	stats->rows++;
	stats->log_loss_sum -= log(fmax(true_probability, HGNN_LOG_LOSS_EPS));
	if (predicted_class == true_class)
	{
		stats->correct++;
		counts->true_positive[row + true_class]++;
		return;
	}
	counts->false_negative[row + true_class]++;
	if (predicted_class >= 0)
		counts->false_positive[row + predicted_class]++;
}

void
hgnn_eval_add_value(HgnnEvalCounts *counts, int task, double target,
					double predicted)
{
	HgnnEvalTask *stats = &counts->tasks[task];
	double		error = predicted - target;
	double		delta = target - stats->target_mean;

	stats->rows++;
	stats->squared_error_sum += error * error;
	stats->absolute_error_sum += fabs(error);

	/* Welford's update of the target mean and sum of squares */
	stats->target_mean += delta / stats->rows;
	stats->target_m2 += delta * (target - stats->target_mean);
}

/*
 * Merges the target mean and sum of squared deviations of b into a.  The
 * sum of squares grows by delta^2 * n_a * n_b / n, where delta is the
 * difference of the two means.
 */
static void
merge_moments(HgnnEvalTask *a, const HgnnEvalTask *b)
{
	double		n = (double) a->rows + (double) b->rows;
	double		delta = b->target_mean - a->target_mean;

	if (b->rows == 0)
		return;
	a->target_m2 += b->target_m2 +
		delta * delta * (double) a->rows * (double) b->rows / n;
	a->target_mean += delta * (double) b->rows / n;
}

static void
merge_task(HgnnEvalTask *into, const HgnnEvalTask *from)
{
	merge_moments(into, from);
	into->rows += from->rows;
	into->correct += from->correct;
	into->log_loss_sum += from->log_loss_sum;
	into->squared_error_sum += from->squared_error_sum;
	into->absolute_error_sum += from->absolute_error_sum;
}

void
hgnn_eval_merge(HgnnEvalCounts *into, const HgnnEvalCounts *from)
{
	size_t		pairs = (size_t) into->n_tasks * into->n_classes;
	size_t		i;
	int			t;

	for (t = 0; t < into->n_tasks; t++)
		merge_task(&into->tasks[t], &from->tasks[t]);
	for (i = 0; i < pairs; i++)
	{
		into->true_positive[i] += from->true_positive[i];
		into->false_positive[i] += from->false_positive[i];
		into->false_negative[i] += from->false_negative[i];
	}
}

/*
 * Returns the mean F1 over the classes that occur as truth or prediction,
 * in task t or, for t = -1, in all tasks pooled.
 */
static double
macro_f1(const HgnnEvalCounts *counts, int t)
{
	int			first = t < 0 ? 0 : t;
	int			last = t < 0 ? counts->n_tasks - 1 : t;
	double		sum = 0.0;
	int			classes = 0;
	int			k,
				u;

	for (k = 0; k < counts->n_classes; k++)
	{
		int64_t		tp = 0,
					fp = 0,
					fn = 0;

		for (u = first; u <= last; u++)
		{
			size_t		i = (size_t) u * counts->n_classes + k;

			tp += counts->true_positive[i];
			fp += counts->false_positive[i];
			fn += counts->false_negative[i];
		}
		if (tp + fp + fn == 0)
			continue;
		sum += 2.0 * tp / (2.0 * tp + fp + fn);
		classes++;
	}
	return classes > 0 ? sum / classes : NAN;
}

void
hgnn_eval_metrics(const HgnnEvalCounts *counts, int t,
				  HgnnEvalMetrics *metrics)
{
	HgnnEvalTask total;
	int			u;

	memset(&total, 0, sizeof(total));
	if (t >= 0)
		total = counts->tasks[t];
	else
	{
		for (u = 0; u < counts->n_tasks; u++)
			merge_task(&total, &counts->tasks[u]);
	}

	metrics->rows = total.rows;
	metrics->accuracy = metrics->error = metrics->macro_f1 = NAN;
	metrics->log_loss = metrics->mse = metrics->mae = metrics->r2 = NAN;
	if (total.rows == 0)
		return;
	if (!counts->regression)
	{
		metrics->accuracy = (double) total.correct / total.rows;
		metrics->error = 1.0 - metrics->accuracy;
		metrics->macro_f1 = macro_f1(counts, t);
		metrics->log_loss = total.log_loss_sum / total.rows;
		return;
	}
	metrics->mse = total.squared_error_sum / total.rows;
	metrics->mae = total.absolute_error_sum / total.rows;
	if (total.target_m2 > 0)
		metrics->r2 = 1.0 - total.squared_error_sum / total.target_m2;
}

/* ---------------------------------------------------------------- */
/* Aggregate state														*/
/* ---------------------------------------------------------------- */

typedef struct EvalState
{
	HgnnEvalCounts counts;
	uint64		weights_hash;	/* model_identity() of the model that scored
								 * the rows */
	char	  **task_names;		/* T, the model's task values as text */

	/* the model of the previous row, to skip hashing an unchanged model */
	const HgnnCachedModel *last_model;
} EvalState;

static void
counts_alloc(HgnnEvalCounts *counts)
{
	size_t		pairs = (size_t) counts->n_tasks * counts->n_classes;

	counts->tasks = palloc0(counts->n_tasks * sizeof(HgnnEvalTask));
	counts->true_positive = palloc0((pairs + 1) * sizeof(int64_t));
	counts->false_positive = palloc0((pairs + 1) * sizeof(int64_t));
	counts->false_negative = palloc0((pairs + 1) * sizeof(int64_t));
}

/* Creates the state for model in CurrentMemoryContext, the aggregate's. */
/*
 * Returns the weights hash mixed with the task and label values, so that
 * two models trained on the same rows under other names do not count as
 * one: their rows would be merged by index.
 */
static uint64
model_identity(const HgnnModel *model)
{
	const HgnnKeys *keysets[2] = {&model->tasks, &model->labels};
	uint64		hash = hgnn_model_weights_hash(model);
	int			i,
				k;

	for (i = 0; i < 2; i++)
	{
		const HgnnKeys *keys = keysets[i];

		for (k = 0; k < keys->count; k++)
		{
			const unsigned char *bytes;
			size_t		len;
			size_t		j;

			if (keys->kind == HGNN_KEY_TEXT)
			{
				bytes = (const unsigned char *) keys->texts[k];
				len = strlen(keys->texts[k]) + 1;
			}
			else
			{
				bytes = (const unsigned char *) &keys->ints[k];
				len = sizeof(int64_t);
			}
			for (j = 0; j < len; j++)
			{
				hash ^= bytes[j];
				hash *= UINT64_C(1099511628211);
			}
		}
	}
	return hash;
}

static EvalState *
state_create(const HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	EvalState  *state = palloc0(sizeof(EvalState));
	int			t;

	state->counts.regression = model->cfg.kind != HGNN_KIND_CLASSIFIER;
	state->counts.n_tasks = model->cfg.n_tasks;
	state->counts.n_classes = state->counts.regression ? 0 :
		model->cfg.n_classes;
	counts_alloc(&state->counts);
	state->weights_hash = model_identity(model);
	state->task_names = palloc(model->cfg.n_tasks * sizeof(char *));
	for (t = 0; t < model->cfg.n_tasks; t++)
		state->task_names[t] = hgnn_key_to_cstring(&model->tasks, t);
	state->last_model = cached;
	return state;
}

static void
report_mixed_models(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("hgnn_evaluate received rows scored by different models"),
			 errhint("Evaluate one model per group, for example with GROUP BY on the model's name and version.")));
}

static bool
same_dimensions(const EvalState *a, const EvalState *b)
{
	return a->weights_hash == b->weights_hash &&
		a->counts.regression == b->counts.regression &&
		a->counts.n_tasks == b->counts.n_tasks &&
		a->counts.n_classes == b->counts.n_classes;
}

/* ---------------------------------------------------------------- */
/* Transition															*/
/* ---------------------------------------------------------------- */

static Oid
arg_type(FunctionCallInfo fcinfo, int argno)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (!OidIsValid(typid))
		elog(ERROR, "could not determine the type of argument %d", argno + 1);
	return typid;
}

/* Returns a regression target of an integer, real or numeric type. */
static double
target_value(Datum value, Oid typid)
{
	switch (getBaseType(typid))
	{
		case INT2OID:
			return (double) DatumGetInt16(value);
		case INT4OID:
			return (double) DatumGetInt32(value);
		case INT8OID:
			return (double) DatumGetInt64(value);
		case FLOAT4OID:
			return (double) DatumGetFloat4(value);
		case FLOAT8OID:
			return DatumGetFloat8(value);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
													  value));
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("label of type %s is not a number, but the model is a regression model",
							format_type_be(typid)),
					 errhint("Pass the target as an integer, real, double precision or numeric value.")));
	}
	return 0.0;					/* not reached */
}

/* Scores the row in arguments 2 (features), 3 (label) and 4 (task). */
static void
add_row(FunctionCallInfo fcinfo, EvalState *state, HgnnCachedModel *cached)
{
	const HgnnModel *model = &cached->model;
	Oid			elemtype = hgnn_feature_elem_type(arg_type(fcinfo, 2));
	Oid			label_type = arg_type(fcinfo, 3);
	Oid			task_type = arg_type(fcinfo, 4);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);
	int			n = hgnn_feature_count(arr);
	int			task;

	if (n != model->cfg.n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature array has %d elements, but the model has %d features",
						n, model->cfg.n_features),
				 errhint("Pass the features in the same order and number as in training.")));
	hgnn_read_features(arr, elemtype, cached->x);

	task = hgnn_keys_lookup(&model->tasks, PG_GETARG_DATUM(4), task_type,
							false, "task");
	if (task < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("task %s is not in the model",
						hgnn_key_datum_text(PG_GETARG_DATUM(4), task_type)),
				 errhint("The model was trained on tasks %s.",
						 hgnn_keys_list(&model->tasks, KEYS_IN_HINT))));

	hgnn_apply_blas_threads();
	if (state->counts.regression)
	{
		double		target = target_value(PG_GETARG_DATUM(3), label_type);
		double		predicted = hgnn_predict_value(model, cached->x, task,
												   cached->work);

		if (!isfinite(target))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("label %g is not a finite number", target)));
		if (!isfinite(predicted))
			hgnn_report_unscorable();
		hgnn_eval_add_value(&state->counts, task, target, predicted);
	}
	else
	{
		int			k = hgnn_keys_lookup(&model->labels, PG_GETARG_DATUM(3),
										 label_type, true, "label");
		int			predicted;

		if (k < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("class %s is not in the model",
							hgnn_key_datum_text(PG_GETARG_DATUM(3), label_type)),
					 errhint("The model was trained on classes %s. Filter out rows of other classes.",
							 hgnn_keys_list(&model->labels, KEYS_IN_HINT))));
		predicted = hgnn_predict_row(model, cached->x, task, cached->work,
									 cached->proba);
		if (predicted < 0)
			hgnn_report_unscorable();
		hgnn_eval_add_class(&state->counts, task, k, predicted,
							cached->proba[k]);
	}
}

/*
 * Arguments: state, model, features, label, task.  Not strict, so that a
 * NULL is reported instead of skipped.
 */
static Datum
evaluate_trans(FunctionCallInfo fcinfo, bool by_name)
{
	MemoryContext aggcontext;
	MemoryContext oldcontext;
	EvalState  *state;
	HgnnCachedModel *cached;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "hgnn_evaluate_trans called in a non-aggregate context");
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("hgnn_evaluate model must not be NULL")));
	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("hgnn_evaluate received a row with NULL features, label or task"),
				 errhint("Filter the rows out with WHERE features IS NOT NULL AND label IS NOT NULL AND task IS NOT NULL.")));

	cached = by_name ? hgnn_model_from_name(fcinfo, 1) :
		hgnn_model_from_bytea(fcinfo, 1);
	state = PG_ARGISNULL(0) ? NULL : (EvalState *) PG_GETARG_POINTER(0);
	if (state == NULL)
	{
		oldcontext = MemoryContextSwitchTo(aggcontext);
		state = state_create(cached);
		MemoryContextSwitchTo(oldcontext);
	}
	else if (state->last_model != cached)
	{
		/* another cache entry: a different model, or the same decoded again */
		if (model_identity(&cached->model) != state->weights_hash ||
			cached->model.cfg.n_tasks != state->counts.n_tasks)
			report_mixed_models();
		state->last_model = cached;
	}

	add_row(fcinfo, state, cached);
	PG_RETURN_POINTER(state);
}

Datum
hgnn_evaluate_trans_bytea(PG_FUNCTION_ARGS)
{
	return evaluate_trans(fcinfo, false);
}

Datum
hgnn_evaluate_trans_name(PG_FUNCTION_ARGS)
{
	return evaluate_trans(fcinfo, true);
}

/* ---------------------------------------------------------------- */
/* Combine, serialize, deserialize										*/
/* ---------------------------------------------------------------- */

static EvalState *
state_copy(const EvalState *from)
{
	EvalState  *state = palloc0(sizeof(EvalState));
	int			t;

	state->counts.regression = from->counts.regression;
	state->counts.n_tasks = from->counts.n_tasks;
	state->counts.n_classes = from->counts.n_classes;
	counts_alloc(&state->counts);
	hgnn_eval_merge(&state->counts, &from->counts);
	state->weights_hash = from->weights_hash;
	state->task_names = palloc(from->counts.n_tasks * sizeof(char *));
	for (t = 0; t < from->counts.n_tasks; t++)
		state->task_names[t] = pstrdup(from->task_names[t]);
	return state;
}

Datum
hgnn_evaluate_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MemoryContext oldcontext;
	EvalState  *a = PG_ARGISNULL(0) ? NULL : (EvalState *) PG_GETARG_POINTER(0);
	EvalState  *b = PG_ARGISNULL(1) ? NULL : (EvalState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "hgnn_evaluate_combine called in a non-aggregate context");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		oldcontext = MemoryContextSwitchTo(aggcontext);
		a = state_copy(b);
		MemoryContextSwitchTo(oldcontext);
		PG_RETURN_POINTER(a);
	}
	if (!same_dimensions(a, b))
		report_mixed_models();
	hgnn_eval_merge(&a->counts, &b->counts);
	PG_RETURN_POINTER(a);
}

static void
send_task(StringInfo buf, const HgnnEvalTask *stats)
{
	pq_sendint64(buf, stats->rows);
	pq_sendint64(buf, stats->correct);
	pq_sendfloat8(buf, stats->log_loss_sum);
	pq_sendfloat8(buf, stats->squared_error_sum);
	pq_sendfloat8(buf, stats->absolute_error_sum);
	pq_sendfloat8(buf, stats->target_mean);
	pq_sendfloat8(buf, stats->target_m2);
}

static void
get_task(StringInfo buf, HgnnEvalTask *stats)
{
	stats->rows = pq_getmsgint64(buf);
	stats->correct = pq_getmsgint64(buf);
	stats->log_loss_sum = pq_getmsgfloat8(buf);
	stats->squared_error_sum = pq_getmsgfloat8(buf);
	stats->absolute_error_sum = pq_getmsgfloat8(buf);
	stats->target_mean = pq_getmsgfloat8(buf);
	stats->target_m2 = pq_getmsgfloat8(buf);
}

/*
 * Layout: weights hash, regression flag, T, C, T task names as length and
 * bytes, T task counters, then the three T x C class counters.
 */
Datum
hgnn_evaluate_serialize(PG_FUNCTION_ARGS)
{
	EvalState  *state = (EvalState *) PG_GETARG_POINTER(0);
	const HgnnEvalCounts *counts = &state->counts;
	size_t		pairs = (size_t) counts->n_tasks * counts->n_classes;
	StringInfoData buf;
	size_t		i;
	int			t;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) state->weights_hash);
	pq_sendint32(&buf, counts->regression);
	pq_sendint32(&buf, counts->n_tasks);
	pq_sendint32(&buf, counts->n_classes);
	for (t = 0; t < counts->n_tasks; t++)
	{
		int			len = strlen(state->task_names[t]);

		pq_sendint32(&buf, len);
		pq_sendbytes(&buf, state->task_names[t], len);
	}
	for (t = 0; t < counts->n_tasks; t++)
		send_task(&buf, &counts->tasks[t]);
	for (i = 0; i < pairs; i++)
	{
		pq_sendint64(&buf, counts->true_positive[i]);
		pq_sendint64(&buf, counts->false_positive[i]);
		pq_sendint64(&buf, counts->false_negative[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
hgnn_evaluate_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcontext;
	MemoryContext oldcontext;
	StringInfoData buf;
	EvalState  *state;
	HgnnEvalCounts *counts;
	size_t		pairs;
	size_t		i;
	int			t;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "hgnn_evaluate_deserialize called in a non-aggregate context");
	oldcontext = MemoryContextSwitchTo(aggcontext);

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
	state = palloc0(sizeof(EvalState));
	counts = &state->counts;
	state->weights_hash = (uint64) pq_getmsgint64(&buf);
	counts->regression = pq_getmsgint(&buf, 4);
	counts->n_tasks = pq_getmsgint(&buf, 4);
	counts->n_classes = pq_getmsgint(&buf, 4);
	if (counts->n_tasks < 1 || counts->n_classes < 0 ||
		(size_t) counts->n_tasks * counts->n_classes > buf.len)
		elog(ERROR, "invalid hgnn_evaluate state: %d tasks, %d classes",
			 counts->n_tasks, counts->n_classes);
	counts_alloc(counts);
	state->task_names = palloc(counts->n_tasks * sizeof(char *));
	for (t = 0; t < counts->n_tasks; t++)
	{
		int			len = pq_getmsgint(&buf, 4);

		state->task_names[t] = pnstrdup(pq_getmsgbytes(&buf, len), len);
	}
	for (t = 0; t < counts->n_tasks; t++)
		get_task(&buf, &counts->tasks[t]);
	pairs = (size_t) counts->n_tasks * counts->n_classes;
	for (i = 0; i < pairs; i++)
	{
		counts->true_positive[i] = pq_getmsgint64(&buf);
		counts->false_positive[i] = pq_getmsgint64(&buf);
		counts->false_negative[i] = pq_getmsgint64(&buf);
	}
	pq_getmsgend(&buf);

	MemoryContextSwitchTo(oldcontext);
	PG_RETURN_POINTER(state);
}

/* ---------------------------------------------------------------- */
/* Final: jsonb															*/
/* ---------------------------------------------------------------- */

static void
append_number(StringInfo buf, const char *key, double value)
{
	appendStringInfo(buf, ", \"%s\": ", key);
	hgnn_append_json_double(buf, value);
}

/* Appends the members of one metrics object, without braces. */
static void
append_metrics(StringInfo buf, const HgnnEvalCounts *counts, int t)
{
	HgnnEvalMetrics metrics;

	hgnn_eval_metrics(counts, t, &metrics);
	appendStringInfo(buf, "\"rows\": " INT64_FORMAT, (int64) metrics.rows);
	if (counts->regression)
	{
		append_number(buf, "mse", metrics.mse);
		append_number(buf, "mae", metrics.mae);
		append_number(buf, "r2", metrics.r2);
		return;
	}
	append_number(buf, "accuracy", metrics.accuracy);
	append_number(buf, "error", metrics.error);
	append_number(buf, "macro_f1", metrics.macro_f1);
	append_number(buf, "log_loss", metrics.log_loss);
}

/*
 * Returns {"kind", "rows", the metrics of all rows, "tasks": {task: {...}}}
 * with one entry per task that had rows, or NULL when there were no rows.
 * An undefined metric, such as R^2 of constant targets, is null.
 */
Datum
hgnn_evaluate_final(PG_FUNCTION_ARGS)
{
	EvalState  *state;
	StringInfoData buf;
	bool		first = true;
	int			t;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (EvalState *) PG_GETARG_POINTER(0);

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"kind\": \"%s\", ",
					 state->counts.regression ? "regression" : "classification");
	append_metrics(&buf, &state->counts, -1);
	appendStringInfoString(&buf, ", \"tasks\": {");
	for (t = 0; t < state->counts.n_tasks; t++)
	{
		if (state->counts.tasks[t].rows == 0)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		escape_json(&buf, state->task_names[t]);
		appendStringInfoString(&buf, ": {");
		append_metrics(&buf, &state->counts, t);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "}}");
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}
