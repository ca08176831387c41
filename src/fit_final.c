/*
 * fit_final.c
 *		Final step of hgnn_fit: model kind, canonical row order, training,
 *		encoding.
 *
 * The rows are sorted by task index, label index (or regression target)
 * and feature bits before training.  So the model depends only on the set
 * of rows, and a parallel plan, a serial plan and any row order give the
 * same weights.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "encode.h"
#include "fit.h"
#include "hgnn.h"
#include "hgnn_limits.h"
#include "options.h"

typedef struct RowOrder
{
	const int  *task;
	const int  *label;			/* NULL for regression */
	const double *target;		/* NULL for a classifier */
	const float *features;
	int			n_features;
} RowOrder;

static int
compare_rows(const void *a, const void *b, void *arg)
{
	const RowOrder *order = arg;
	int			x = *(const int *) a;
	int			y = *(const int *) b;

	if (order->task[x] != order->task[y])
		return order->task[x] < order->task[y] ? -1 : 1;
	if (order->label != NULL && order->label[x] != order->label[y])
		return order->label[x] < order->label[y] ? -1 : 1;
	if (order->target != NULL)
	{
		double		tx = order->target[x];
		double		ty = order->target[y];
		int			cmp;

		if (tx != ty)
			return tx < ty ? -1 : 1;

		/* 0 and -0 compare equal, so their bits make the order total */
		cmp = memcmp(&tx, &ty, sizeof(double));
		if (cmp != 0)
			return cmp;
	}
	return memcmp(order->features + (Size) x * order->n_features,
				  order->features + (Size) y * order->n_features,
				  order->n_features * sizeof(float));
}

/* ---------------------------------------------------------------- */
/* Progress: interrupts and verbose NOTICEs							*/
/* ---------------------------------------------------------------- */

typedef struct Progress
{
	bool		verbose;
	int			epochs;
	int			report_every;	/* epochs between NOTICEs */
	int			epoch;			/* epoch of the steps summed below */
	double		loss_sum;
	int			steps;
	instr_time	start;
} Progress;

static double
seconds_since(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_DOUBLE(now);
}

static void
report_epoch(Progress *progress, int epoch, double loss)
{
	ereport(NOTICE,
			(errmsg("hgnn_fit epoch %d of %d: loss %.6f, %.1f s elapsed",
					epoch + 1, progress->epochs, loss,
					seconds_since(progress->start))));
}

/*
 * Runs after every training step.  CHECK_FOR_INTERRUPTS lets
 * statement_timeout and pg_cancel_backend stop training.  The ERROR unwinds
 * through the math, whose memory goes with the training context.
 */
static void
fit_progress(void *arg, int epoch, int step, double loss)
{
	Progress   *progress = arg;

	CHECK_FOR_INTERRUPTS();
	if (!progress->verbose)
		return;

	/* the first step of a new epoch closes the previous one */
	if (epoch != progress->epoch && progress->steps > 0)
	{
		if ((progress->epoch + 1) % progress->report_every == 0)
			report_epoch(progress, progress->epoch,
						 progress->loss_sum / progress->steps);
		progress->loss_sum = 0;
		progress->steps = 0;
	}
	progress->epoch = epoch;
	progress->loss_sum += loss;
	progress->steps++;
}

/* ---------------------------------------------------------------- */
/* Training																	*/
/* ---------------------------------------------------------------- */

static void
report_null_rows(const HgnnFitState *state, bool skip)
{
	if (!skip)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%lld rows have NULL features, label or task",
						(long long) state->null_rows),
				 errdetail("NULL features: %lld, NULL label: %lld, NULL task: %lld.",
						   (long long) state->null_features,
						   (long long) state->null_labels,
						   (long long) state->null_tasks),
				 errhint("Filter the rows out, or set \"skip_nulls\": true in the options.")));
	ereport(NOTICE,
			(errmsg("hgnn_fit skipped %lld rows with NULL features, label or task",
					(long long) state->null_rows)));
}

static void
check_task_count(const HgnnKeys *tasks)
{
	if (tasks->count > HGNN_MAX_TASKS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training rows have %d distinct tasks, over the limit of %d",
						tasks->count, HGNN_MAX_TASKS)));
}

static void
check_parameter_count(const HgnnConfig *cfg)
{
	HgnnLayout	layout;

	hgnn_layout_init(cfg, &layout);
	if (layout.total > HGNN_MAX_PARAMETERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the model would have %zu parameters, over the limit of %d",
						layout.total, HGNN_MAX_PARAMETERS),
				 errhint("Lower hidden, task_embedding or class_embedding, or use fewer features.")));
}

/*
 * Sets the data dimensions in cfg and rejects a model too large to train.
 * This runs before training because the math aborts on sizes that it
 * cannot address.
 */
static void
check_dimensions(HgnnConfig *cfg, const HgnnKeys *labels,
				 const HgnnKeys *tasks)
{
	int64		task_rows;

	if (labels->count < 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("training rows have only one class: %s",
						hgnn_key_display(labels, 0)),
				 errhint("A classifier needs rows of at least two distinct labels.")));
	if (labels->count > HGNN_MAX_CLASSES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training rows have %d distinct labels, over the limit of %d",
						labels->count, HGNN_MAX_CLASSES),
				 errhint("Check that the label column holds classes, not a continuous value.")));
	check_task_count(tasks);
	if ((int64) tasks->count * labels->count > HGNN_MAX_CLASS_NODES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%d tasks times %d classes is %lld class nodes, over the limit of %d",
						tasks->count, labels->count,
						(long long) tasks->count * labels->count,
						HGNN_MAX_CLASS_NODES)));

	cfg->n_classes = labels->count;
	cfg->n_tasks = tasks->count;

	task_rows = (int64) cfg->batch_per_group * cfg->n_classes;
	if (task_rows > HGNN_MAX_TASK_BATCH_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("batch_per_group %d times %d classes is %lld rows per task graph, over the limit of %d",
						cfg->batch_per_group, cfg->n_classes,
						(long long) task_rows, HGNN_MAX_TASK_BATCH_ROWS),
				 errhint("Lower batch_per_group.")));
	check_parameter_count(cfg);
}

static bool
all_finite(const hgnn_real *values, size_t count)
{
	size_t		i;

	for (i = 0; i < count; i++)
	{
		if (!isfinite(values[i]))
			return false;
	}
	return true;
}

/* Rows in canonical order, ready for the math. */
typedef struct SortedRows
{
	float	   *features;		/* n x d */
	int		   *task;			/* n */
	int		   *label;			/* n, NULL for regression */
	double	   *target;			/* n, NULL for a classifier */
} SortedRows;

/*
 * Copies the rows of state into canonical order.  label or target, as the
 * kind has it, is the per-row value; the other is NULL.
 */
static void
sort_rows(const HgnnFitState *state, const int *task_index,
		  const int *label_index, const double *target, SortedRows *rows)
{
	int			n = (int) state->n_rows;
	int			d = state->n_features;
	RowOrder	order;
	int		   *perm;
	int			i;

	perm = palloc_extended((Size) n * sizeof(int), MCXT_ALLOC_HUGE);
	for (i = 0; i < n; i++)
		perm[i] = i;
	order.task = task_index;
	order.label = label_index;
	order.target = target;
	order.features = state->features;
	order.n_features = d;
	qsort_arg(perm, n, sizeof(int), compare_rows, &order);

	rows->features = palloc_extended((Size) n * d * sizeof(float),
									 MCXT_ALLOC_HUGE);
	rows->task = palloc_extended((Size) n * sizeof(int), MCXT_ALLOC_HUGE);
	rows->label = NULL;
	rows->target = NULL;
	if (label_index != NULL)
		rows->label = palloc_extended((Size) n * sizeof(int),
									  MCXT_ALLOC_HUGE);
	if (target != NULL)
		rows->target = palloc_extended((Size) n * sizeof(double),
									   MCXT_ALLOC_HUGE);
	for (i = 0; i < n; i++)
	{
		memcpy(rows->features + (Size) i * d,
			   state->features + (Size) perm[i] * d, d * sizeof(float));
		rows->task[i] = task_index[perm[i]];
		if (label_index != NULL)
			rows->label[i] = label_index[perm[i]];
		if (target != NULL)
			rows->target[i] = target[perm[i]];
	}
	pfree(perm);
}

/*
 * Returns the regression targets of the rows of state as doubles:
 * integer labels by value, real ones from the bits that fit.c stored.
 */
static double *
regression_targets(const HgnnFitState *state)
{
	double	   *target = palloc_extended((Size) Max(state->n_rows, 1) *
										 sizeof(double), MCXT_ALLOC_HUGE);
	int64		i;

	for (i = 0; i < state->n_rows; i++)
	{
		if (state->label_kind == HGNN_KEY_REAL)
			memcpy(&target[i], &state->labels[i], sizeof(double));
		else
			target[i] = (double) state->labels[i];
	}
	return target;
}

bytea *
hgnn_fit_state_train(const HgnnFitState *state)
{
	MemoryContext callercontext = CurrentMemoryContext;
	MemoryContext traincontext;
	HgnnOptions opts;
	HgnnKind	kind;
	HgnnKeys	labels;
	HgnnKeys	tasks;
	int		   *label_index = NULL;
	int		   *task_index;
	double	   *target = NULL;
	SortedRows	rows;
	HgnnData	data;
	HgnnModel	model;
	Progress	progress;
	char		errbuf[256];
	int			n;
	int			rc;
	Size		size;
	bytea	   *result;

	hgnn_options_parse(state->options, &opts);
	if (state->null_rows > 0)
		report_null_rows(state, opts.skip_nulls);
	if (state->n_rows == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("hgnn_fit received no rows without NULLs"),
				 errdetail("%lld rows were skipped.",
						   (long long) state->null_rows)));

	/* the transition function has checked the kind against the label type */
	kind = hgnn_options_model_kind(&opts, state->label_kind);
	if (kind == 0)
		elog(ERROR, "hgnn_fit: the requested model kind does not fit labels of kind %s",
			 hgnn_key_kind_name(state->label_kind));
	hgnn_options_set_kind(&opts, kind);

	/* everything below, the math's buffers included, goes with this */
	traincontext = AllocSetContextCreate(CurrentMemoryContext,
										 "hgnn training",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(traincontext);

	n = (int) state->n_rows;
	opts.cfg.n_features = state->n_features;
	if (state->task_kind == HGNN_KEY_TEXT)
		task_index = hgnn_keys_build_text(&tasks, &state->task_dict,
										  state->tasks, n);
	else
		task_index = hgnn_keys_build_int(&tasks, state->task_kind,
										 state->tasks, n);

	if (kind == HGNN_KIND_REGRESSION)
	{
		/* a regression model keeps the label type but no label values */
		memset(&labels, 0, sizeof(labels));
		labels.kind = state->label_kind;
		check_task_count(&tasks);
		opts.cfg.n_classes = 1;
		opts.cfg.n_tasks = tasks.count;
		check_parameter_count(&opts.cfg);
		target = regression_targets(state);
	}
	else
	{
		if (state->label_kind == HGNN_KEY_TEXT)
			label_index = hgnn_keys_build_text(&labels, &state->label_dict,
											   state->labels, n);
		else
			label_index = hgnn_keys_build_int(&labels, state->label_kind,
											  state->labels, n);
		check_dimensions(&opts.cfg, &labels, &tasks);
	}

	sort_rows(state, task_index, label_index, target, &rows);
	pfree(task_index);
	if (label_index != NULL)
		pfree(label_index);
	if (target != NULL)
		pfree(target);

	data.n_rows = n;
	data.n_features = state->n_features;
	data.features = rows.features;
	data.task = rows.task;
	data.label = rows.label;
	data.target = rows.target;

	memset(&progress, 0, sizeof(progress));
	progress.verbose = opts.verbose;
	progress.epochs = opts.cfg.epochs;
	progress.report_every = Max(1, opts.cfg.epochs / 10);
	INSTR_TIME_SET_CURRENT(progress.start);

	hgnn_apply_blas_threads();
	memset(&model, 0, sizeof(model));
	if (kind == HGNN_KIND_REGRESSION)
		rc = hgnn_train_regressor(&opts.cfg, &data, fit_progress, &progress,
								  &model, errbuf, sizeof(errbuf));
	else
		rc = hgnn_train_classifier(&opts.cfg, &data, fit_progress, &progress,
								   &model, errbuf, sizeof(errbuf));
	if (rc != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("hgnn training failed: %s", errbuf)));
	if (opts.verbose && progress.steps > 0)
		report_epoch(&progress, progress.epoch, model.final_loss);

	if (!isfinite(model.final_loss) ||
		!all_finite(model.params, model.layout.total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hgnn training diverged: the loss or a weight is not finite"),
				 errhint("Lower learning_rate, or set clip_norm to limit the gradient norm.")));

	model.labels = labels;
	model.tasks = tasks;
	model.rows_used = n;
	model.rows_skipped = state->null_rows;
	model.train_seconds = seconds_since(progress.start);
	model.info_json = hgnn_options_to_json(&opts);

	size = hgnn_encoded_size(&model);
	if (size + VARHDRSZ > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("encoded model is %zu bytes, over the bytea limit of %zu",
						size, (Size) MaxAllocSize - VARHDRSZ)));
	result = MemoryContextAlloc(callercontext, size + VARHDRSZ);
	SET_VARSIZE(result, size + VARHDRSZ);
	hgnn_encode(&model, (uint8_t *) VARDATA(result));

	MemoryContextSwitchTo(callercontext);
	MemoryContextDelete(traincontext);
	return result;
}
