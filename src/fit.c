/*
 * fit.c
 *		Transition, combine, serialize and deserialize functions of the
 *		hgnn_fit aggregate.
 *
 * The arguments are declared "any", so their types come from the call site
 * through get_fn_expr_argtype.  The transition function is not strict
 * because rows with NULLs must be counted.
 *
 * A real, double precision or numeric label is a regression target of
 * label kind HGNN_KEY_REAL.  The state's int64 label slot of such a row
 * contains the bits of the target as an IEEE double (memcpy), so that the
 * combine and serialize functions copy targets like integer labels.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "feature_array.h"
#include "fit.h"
#include "options.h"

PG_FUNCTION_INFO_V1(hgnn_fit_trans);
PG_FUNCTION_INFO_V1(hgnn_fit_combine);
PG_FUNCTION_INFO_V1(hgnn_fit_serialize);
PG_FUNCTION_INFO_V1(hgnn_fit_deserialize);
PG_FUNCTION_INFO_V1(hgnn_fit_final);

/* HgnnData counts rows in an int. */
#define MAX_TRAINING_ROWS (PG_INT32_MAX - 1)

static HgnnFitState *
state_create(MemoryContext mcxt, HgnnKeyKind label_kind,
			 HgnnKeyKind task_kind)
{
	HgnnFitState *state = MemoryContextAllocZero(mcxt, sizeof(HgnnFitState));

	state->mcxt = mcxt;
	state->label_kind = label_kind;
	state->task_kind = task_kind;
	hgnn_dict_init(&state->label_dict, mcxt);
	hgnn_dict_init(&state->task_dict, mcxt);
	return state;
}

/* Makes room for extra more rows.  n_features must be set. */
static void
state_reserve(HgnnFitState *state, int64 extra)
{
	int64		needed = state->n_rows + extra;
	int64		capacity;
	Size		feature_bytes;

	if (needed <= state->capacity)
		return;
	if (needed > MAX_TRAINING_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("hgnn_fit accepts at most %d rows", MAX_TRAINING_ROWS)));

	capacity = Max(state->capacity * 2, 64);
	capacity = Max(capacity, needed);
	capacity = Min(capacity, MAX_TRAINING_ROWS);
	feature_bytes = (Size) capacity * state->n_features * sizeof(float);

	if (state->features == NULL)
	{
		state->features = MemoryContextAllocHuge(state->mcxt, feature_bytes);
		state->labels = MemoryContextAllocHuge(state->mcxt,
											   capacity * sizeof(int64));
		state->tasks = MemoryContextAllocHuge(state->mcxt,
											  capacity * sizeof(int64));
	}
	else
	{
		state->features = repalloc_huge(state->features, feature_bytes);
		state->labels = repalloc_huge(state->labels,
									  capacity * sizeof(int64));
		state->tasks = repalloc_huge(state->tasks, capacity * sizeof(int64));
	}
	state->capacity = capacity;
}

/*
 * Raises an error unless options equal those of the first row as jsonb
 * values, so that 8 and 8.0 are the same option.  Equal bytes, the usual
 * case of a constant, skip the comparison.
 */
static void
check_same_options(HgnnFitState *state, Jsonb *options)
{
	bool		same;

	if (state->options == NULL || options == NULL)
		same = (state->options == NULL && options == NULL);
	else
		same = (VARSIZE(state->options) == VARSIZE(options) &&
				memcmp(state->options, options, VARSIZE(options)) == 0) ||
			compareJsonbContainers(&state->options->root,
								   &options->root) == 0;
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hgnn_fit options differ between rows"),
				 errdetail("The first row has %s, and a later row has %s.",
						   state->options == NULL ? "NULL" :
						   JsonbToCString(NULL, &state->options->root,
										  VARSIZE(state->options)),
						   options == NULL ? "NULL" :
						   JsonbToCString(NULL, &options->root,
										  VARSIZE(options))),
				 errhint("Pass one constant options value for all rows.")));
}

/* Returns the label kind of type typid, HGNN_KEY_REAL for real types. */
static HgnnKeyKind
label_kind_of_type(Oid typid)
{
	switch (getBaseType(typid))
	{
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return HGNN_KEY_REAL;
		default:
			return hgnn_key_kind_of_type(typid, true, "label");
	}
}

/* Raises an error when the "kind" option does not fit the label type. */
static void
check_model_kind(const HgnnOptions *opts, HgnnKeyKind label_kind,
				 Oid label_type)
{
	if (hgnn_options_model_kind(opts, label_kind) != 0)
		return;
	if (opts->kind == HGNN_KIND_REGRESSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("label of type %s cannot be a regression target",
						format_type_be(label_type)),
				 errhint("Use a real, double precision, numeric or integer label with \"kind\": \"regression\".")));
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("label of type %s cannot be a class label",
					format_type_be(label_type)),
			 errhint("Use an integer, boolean or text label with \"kind\": \"classification\", or leave \"kind\" out to train a regression model.")));
}

/*
 * Returns the bits of a real, double precision or numeric label as an
 * IEEE double.  A NaN or infinite target raises an error.
 */
static int64
real_label_bits(Datum value, Oid typid)
{
	double		target;
	int64		bits;

	switch (getBaseType(typid))
	{
		case FLOAT4OID:
			target = DatumGetFloat4(value);
			break;
		case FLOAT8OID:
			target = DatumGetFloat8(value);
			break;
		case NUMERICOID:
			target = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
														value));
			break;
		default:
			elog(ERROR, "label of type %s is not a real type",
				 format_type_be(typid));
			target = 0.0;		/* not reached */
	}
	if (!isfinite(target))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("regression target %s is not finite",
						isnan(target) ? "NaN" :
						target > 0 ? "Infinity" : "-Infinity"),
				 errhint("Filter out the rows whose label is NaN or infinite.")));
	memcpy(&bits, &target, sizeof(bits));
	return bits;
}

Datum
hgnn_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	HgnnFitState *state;
	Oid			feature_type;
	Oid			label_type;
	Oid			task_type;
	Jsonb	   *options = NULL;
	bool		null_row = false;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "hgnn_fit_trans called in non-aggregate context");

	feature_type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	label_type = get_fn_expr_argtype(fcinfo->flinfo, 2);
	task_type = get_fn_expr_argtype(fcinfo->flinfo, 3);
	if (!OidIsValid(feature_type) || !OidIsValid(label_type) ||
		!OidIsValid(task_type))
		elog(ERROR, "could not determine the argument types of hgnn_fit");
	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		options = PG_GETARG_JSONB_P(4);

	if (PG_ARGISNULL(0))
	{
		HgnnOptions opts;

		/* reject bad types and options before reading the whole table */
		hgnn_feature_elem_type(feature_type);
		state = state_create(aggcontext, label_kind_of_type(label_type),
							 hgnn_key_kind_of_type(task_type, false, "task"));
		hgnn_options_parse(options, &opts);
		check_model_kind(&opts, state->label_kind, label_type);
		if (options != NULL)
		{
			state->options = MemoryContextAlloc(aggcontext, VARSIZE(options));
			memcpy(state->options, options, VARSIZE(options));
		}
	}
	else
	{
		state = (HgnnFitState *) PG_GETARG_POINTER(0);
		check_same_options(state, options);
	}

	if (PG_ARGISNULL(1))
	{
		state->null_features++;
		null_row = true;
	}
	if (PG_ARGISNULL(2))
	{
		state->null_labels++;
		null_row = true;
	}
	if (PG_ARGISNULL(3))
	{
		state->null_tasks++;
		null_row = true;
	}
	if (null_row)
	{
		state->null_rows++;
		PG_RETURN_POINTER(state);
	}

	/* features */
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Oid			elemtype = hgnn_feature_elem_type(feature_type);
		int			n = hgnn_feature_count(arr);

		if (state->n_features == 0)
			state->n_features = n;
		else if (n != state->n_features)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature array has %d elements, but earlier rows had %d",
							n, state->n_features),
					 errhint("Every row must have the same number of features.")));
		state_reserve(state, 1);
		hgnn_read_features(arr, elemtype, state->features +
						   state->n_rows * state->n_features);
	}

	/* label and task */
	if (state->label_kind == HGNN_KEY_TEXT)
	{
		int			len;
		const char *str = hgnn_key_text_value(PG_GETARG_DATUM(2), label_type,
											  &len, "label");

		state->labels[state->n_rows] =
			hgnn_dict_intern(&state->label_dict, str, len);
	}
	else if (state->label_kind == HGNN_KEY_REAL)
		state->labels[state->n_rows] =
			real_label_bits(PG_GETARG_DATUM(2), label_type);
	else
		state->labels[state->n_rows] =
			hgnn_key_int_value(PG_GETARG_DATUM(2), label_type, "label");

	if (state->task_kind == HGNN_KEY_TEXT)
	{
		int			len;
		const char *str = hgnn_key_text_value(PG_GETARG_DATUM(3), task_type,
											  &len, "task");

		state->tasks[state->n_rows] =
			hgnn_dict_intern(&state->task_dict, str, len);
	}
	else
		state->tasks[state->n_rows] =
			hgnn_key_int_value(PG_GETARG_DATUM(3), task_type, "task");

	state->n_rows++;
	PG_RETURN_POINTER(state);
}

/*
 * Appends the rows of src to dst.  Text values are interned again because
 * each state numbers its strings in its own order.
 */
static void
state_append(HgnnFitState *dst, const HgnnFitState *src)
{
	int		   *label_ids = NULL;
	int		   *task_ids = NULL;
	int64		i;
	int			k;

	if (dst->label_kind != src->label_kind || dst->task_kind != src->task_kind)
		elog(ERROR, "hgnn_fit states of different key kinds cannot be combined");
	if (dst->n_features != 0 && src->n_features != 0 &&
		dst->n_features != src->n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("feature array has %d elements, but earlier rows had %d",
						src->n_features, dst->n_features),
				 errhint("Every row must have the same number of features.")));
	check_same_options(dst, src->options);

	dst->null_rows += src->null_rows;
	dst->null_features += src->null_features;
	dst->null_labels += src->null_labels;
	dst->null_tasks += src->null_tasks;
	if (src->n_rows == 0)
		return;
	if (dst->n_features == 0)
		dst->n_features = src->n_features;

	label_ids = palloc(Max(src->label_dict.count, 1) * sizeof(int));
	for (k = 0; k < src->label_dict.count; k++)
		label_ids[k] = hgnn_dict_intern(&dst->label_dict,
										src->label_dict.strings[k],
										src->label_dict.lengths[k]);
	task_ids = palloc(Max(src->task_dict.count, 1) * sizeof(int));
	for (k = 0; k < src->task_dict.count; k++)
		task_ids[k] = hgnn_dict_intern(&dst->task_dict,
									   src->task_dict.strings[k],
									   src->task_dict.lengths[k]);

	state_reserve(dst, src->n_rows);
	memcpy(dst->features + dst->n_rows * dst->n_features, src->features,
		   (Size) src->n_rows * src->n_features * sizeof(float));
	for (i = 0; i < src->n_rows; i++)
	{
		int64		label = src->labels[i];
		int64		task = src->tasks[i];

		if (dst->label_kind == HGNN_KEY_TEXT)
			label = label_ids[label];
		if (dst->task_kind == HGNN_KEY_TEXT)
			task = task_ids[task];
		dst->labels[dst->n_rows + i] = label;
		dst->tasks[dst->n_rows + i] = task;
	}
	dst->n_rows += src->n_rows;
	pfree(label_ids);
	pfree(task_ids);
}

Datum
hgnn_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	MemoryContext oldcontext;
	HgnnFitState *state1;
	HgnnFitState *state2;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "hgnn_fit_combine called in non-aggregate context");

	state1 = PG_ARGISNULL(0) ? NULL : (HgnnFitState *) PG_GETARG_POINTER(0);
	state2 = PG_ARGISNULL(1) ? NULL : (HgnnFitState *) PG_GETARG_POINTER(1);
	if (state2 == NULL)
		PG_RETURN_POINTER(state1);

	/* state2 may live in a short-lived context, so copy it into state1 */
	oldcontext = MemoryContextSwitchTo(aggcontext);
	if (state1 == NULL)
	{
		state1 = state_create(aggcontext, state2->label_kind,
							  state2->task_kind);
		if (state2->options != NULL)
		{
			state1->options = palloc(VARSIZE(state2->options));
			memcpy(state1->options, state2->options,
				   VARSIZE(state2->options));
		}
	}
	state_append(state1, state2);
	MemoryContextSwitchTo(oldcontext);
	PG_RETURN_POINTER(state1);
}

/* ---------------------------------------------------------------- */
/* Serialization between parallel workers and the leader				*/
/* ---------------------------------------------------------------- */

/*
 * The bytes go only between processes of one server, so values are copied
 * in native byte order.  The layout, in order:
 *
 *	header		int32 label_kind, task_kind, n_features; int64 n_rows,
 *				null_rows, null_features, null_labels, null_tasks
 *	options		int32 length (0 for none), then the jsonb bytes
 *	dictionaries	labels, then tasks: int32 count, then int32 length and
 *				bytes of each string
 *	rows		float features[n_rows * n_features], int64 labels[n_rows],
 *				int64 tasks[n_rows]
 */

static Size
dict_serialized_size(const HgnnTextDict *dict)
{
	Size		size = sizeof(int32);
	int			i;

	for (i = 0; i < dict->count; i++)
		size += sizeof(int32) + dict->lengths[i];
	return size;
}

static char *
put_bytes(char *pos, const void *bytes, Size len)
{
	memcpy(pos, bytes, len);
	return pos + len;
}

static char *
put_int32(char *pos, int32 v)
{
	return put_bytes(pos, &v, sizeof(v));
}

static char *
put_int64(char *pos, int64 v)
{
	return put_bytes(pos, &v, sizeof(v));
}

static char *
put_dict(char *pos, const HgnnTextDict *dict)
{
	int			i;

	pos = put_int32(pos, dict->count);
	for (i = 0; i < dict->count; i++)
	{
		pos = put_int32(pos, (int32) dict->lengths[i]);
		pos = put_bytes(pos, dict->strings[i], dict->lengths[i]);
	}
	return pos;
}

Datum
hgnn_fit_serialize(PG_FUNCTION_ARGS)
{
	HgnnFitState *state = (HgnnFitState *) PG_GETARG_POINTER(0);
	Size		options_len = state->options ? VARSIZE(state->options) : 0;
	Size		size;
	bytea	   *result;
	char	   *pos;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "hgnn_fit_serialize called in non-aggregate context");

	size = VARHDRSZ + 3 * sizeof(int32) + 5 * sizeof(int64) +
		sizeof(int32) + options_len +
		dict_serialized_size(&state->label_dict) +
		dict_serialized_size(&state->task_dict) +
		(Size) state->n_rows * state->n_features * sizeof(float) +
		(Size) state->n_rows * 2 * sizeof(int64);
	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("hgnn_fit state of a parallel worker is %zu bytes, over the limit of %zu",
						size, (Size) MaxAllocSize),
				 errhint("Disable parallel training with SET max_parallel_workers_per_gather = 0.")));

	result = palloc(size);
	SET_VARSIZE(result, size);
	pos = VARDATA(result);
	pos = put_int32(pos, state->label_kind);
	pos = put_int32(pos, state->task_kind);
	pos = put_int32(pos, state->n_features);
	pos = put_int64(pos, state->n_rows);
	pos = put_int64(pos, state->null_rows);
	pos = put_int64(pos, state->null_features);
	pos = put_int64(pos, state->null_labels);
	pos = put_int64(pos, state->null_tasks);
	pos = put_int32(pos, (int32) options_len);
	if (options_len > 0)
		pos = put_bytes(pos, state->options, options_len);
	pos = put_dict(pos, &state->label_dict);
	pos = put_dict(pos, &state->task_dict);
	if (state->n_rows > 0)
	{
		pos = put_bytes(pos, state->features,
						(Size) state->n_rows * state->n_features *
						sizeof(float));
		pos = put_bytes(pos, state->labels, state->n_rows * sizeof(int64));
		pos = put_bytes(pos, state->tasks, state->n_rows * sizeof(int64));
	}
	Assert(pos == (char *) result + size);
	PG_RETURN_BYTEA_P(result);
}

static const char *
get_bytes(const char *pos, void *out, Size len)
{
	memcpy(out, pos, len);
	return pos + len;
}

static const char *
get_dict(const char *pos, HgnnTextDict *dict)
{
	int32		count;
	int32		i;

	pos = get_bytes(pos, &count, sizeof(count));
	for (i = 0; i < count; i++)
	{
		int32		len;

		pos = get_bytes(pos, &len, sizeof(len));
		hgnn_dict_intern(dict, pos, len);
		pos += len;
	}
	return pos;
}

/*
 * Rebuilds a state in CurrentMemoryContext, which the executor resets.  The
 * combine function copies it into the aggregate context.
 */
Datum
hgnn_fit_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	const char *pos = VARDATA_ANY(bytes);
	HgnnFitState *state;
	int64		n_rows;
	int32		label_kind;
	int32		task_kind;
	int32		options_len;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "hgnn_fit_deserialize called in non-aggregate context");

	pos = get_bytes(pos, &label_kind, sizeof(int32));
	pos = get_bytes(pos, &task_kind, sizeof(int32));
	state = state_create(CurrentMemoryContext, (HgnnKeyKind) label_kind,
						 (HgnnKeyKind) task_kind);
	pos = get_bytes(pos, &state->n_features, sizeof(int32));
	pos = get_bytes(pos, &n_rows, sizeof(int64));
	pos = get_bytes(pos, &state->null_rows, sizeof(int64));
	pos = get_bytes(pos, &state->null_features, sizeof(int64));
	pos = get_bytes(pos, &state->null_labels, sizeof(int64));
	pos = get_bytes(pos, &state->null_tasks, sizeof(int64));
	pos = get_bytes(pos, &options_len, sizeof(int32));
	if (options_len > 0)
	{
		state->options = palloc(options_len);
		pos = get_bytes(pos, state->options, options_len);
	}
	pos = get_dict(pos, &state->label_dict);
	pos = get_dict(pos, &state->task_dict);
	if (n_rows > 0)
	{
		state_reserve(state, n_rows);
		pos = get_bytes(pos, state->features,
						(Size) n_rows * state->n_features *
						sizeof(float));
		pos = get_bytes(pos, state->labels, n_rows * sizeof(int64));
		pos = get_bytes(pos, state->tasks, n_rows * sizeof(int64));
		state->n_rows = n_rows;
	}
	Assert(pos == VARDATA_ANY(bytes) + VARSIZE_ANY_EXHDR(bytes));
	PG_RETURN_POINTER(state);
}

Datum
hgnn_fit_final(PG_FUNCTION_ARGS)
{
	HgnnFitState *state;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "hgnn_fit_final called in non-aggregate context");
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("hgnn_fit received no rows"),
				 errhint("Check the query's FROM and WHERE clauses.")));
	state = (HgnnFitState *) PG_GETARG_POINTER(0);
	PG_RETURN_BYTEA_P(hgnn_fit_state_train(state));
}
