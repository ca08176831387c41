/*
 * test_train.c
 *		Training and prediction on small synthetic multi-task data, in the
 *		float build.
 *
 * The data: every class k has a center shared by all tasks plus a small
 * shift per task, and rows are the center plus unit normal noise.  The
 * checks cover the sampler and the optimizer, learning, determinism, an
 * absent (task, class) pair, the probabilities, prior correction, input
 * validation, allocation and the time of one step on data of the size of
 * the vowel benchmark.  The regression tests use tasks whose targets are
 * a shared smooth function of the features, in units and offsets of their
 * own per task.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "layers.h"
#include "model.h"
#include "optim.h"
#include "rng.h"
#include "sampler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int	n_passed;
static int	n_failed;

static void
check(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", name,
		   detail[0] ? ": " : "", detail);
	if (ok)
		n_passed++;
	else
		n_failed++;
}

/* ------------------------------------------------ counting allocation */

static long n_allocs;
static long n_frees;

static void *
counting_alloc(size_t size)
{
	void	   *ptr = malloc(size);

	if (ptr == NULL)
		abort();
	n_allocs++;
	return ptr;
}

static void
counting_free(void *ptr)
{
	n_frees++;
	free(ptr);
}

/* ---------------------------------------------------------------- data */

typedef struct Dataset
{
	HgnnData	data;
	float	   *features;
	int		   *task;
	int		   *label;
} Dataset;

/*
 * Builds rows[t * n_classes + k] rows for every (task, class) pair, grouped
 * by pair.  Class centers lie separation apart on average.
 */
static void
make_dataset(Dataset *ds, int n_tasks, int n_classes, int n_features,
			 const int *rows, double separation, uint64_t seed)
{
	HgnnRng		rng;
	double	   *center = calloc((size_t) n_classes * n_features,
								sizeof(double));
	double	   *shift = calloc((size_t) n_tasks * n_features, sizeof(double));
	int			n_rows = 0;
	int			i,
				j,
				t,
				k,
				r;

	hgnn_rng_seed(&rng, seed);
	for (i = 0; i < n_classes * n_features; i++)
		center[i] = separation * hgnn_rng_normal(&rng);
	for (i = 0; i < n_tasks * n_features; i++)
		shift[i] = 0.3 * hgnn_rng_normal(&rng);
	for (i = 0; i < n_tasks * n_classes; i++)
		n_rows += rows[i];

	ds->features = calloc((size_t) n_rows * n_features, sizeof(float));
	ds->task = calloc(n_rows, sizeof(int));
	ds->label = calloc(n_rows, sizeof(int));
	i = 0;
	for (t = 0; t < n_tasks; t++)
		for (k = 0; k < n_classes; k++)
			for (r = 0; r < rows[t * n_classes + k]; r++, i++)
			{
				ds->task[i] = t;
				ds->label[i] = k;
				for (j = 0; j < n_features; j++)
					ds->features[(size_t) i * n_features + j] =
						center[k * n_features + j] +
						shift[t * n_features + j] + hgnn_rng_normal(&rng);
			}
	ds->data.n_rows = n_rows;
	ds->data.n_features = n_features;
	ds->data.features = ds->features;
	ds->data.task = ds->task;
	ds->data.label = ds->label;
	free(center);
	free(shift);
}

static void
free_dataset(Dataset *ds)
{
	free(ds->features);
	free(ds->task);
	free(ds->label);
}

static void
config_for(HgnnConfig *cfg, const HgnnData *data, int n_tasks,
		   int n_classes)
{
	hgnn_config_defaults(cfg, HGNN_KIND_CLASSIFIER);
	cfg->n_features = data->n_features;
	cfg->n_tasks = n_tasks;
	cfg->n_classes = n_classes;
	cfg->hidden = 64;
	cfg->epochs = 60;
}

/* Returns the share of rows whose predicted class differs from the label. */
static double
training_error(const HgnnModel *model, const HgnnData *data)
{
	hgnn_real  *work = calloc(hgnn_predict_work_size(model),
							  sizeof(hgnn_real));
	double	   *proba = calloc(model->cfg.n_classes, sizeof(double));
	int			wrong = 0;
	int			i;

	for (i = 0; i < data->n_rows; i++)
	{
		int			pred = hgnn_predict_row(model,
											data->features +
											(size_t) i * data->n_features,
											data->task[i], work, proba);

		if (pred != data->label[i])
			wrong++;
	}
	free(work);
	free(proba);
	return (double) wrong / data->n_rows;
}

/* ------------------------------------------------------------ progress */

typedef struct LossTrace
{
	int			calls;
	int			last_epoch;
	double		first_epoch_sum;
	int			first_epoch_steps;
} LossTrace;

static void
trace_progress(void *arg, int epoch, int step, double loss)
{
	LossTrace  *trace = arg;

	trace->calls++;
	trace->last_epoch = epoch;
	if (epoch == 0)
	{
		trace->first_epoch_sum += loss;
		trace->first_epoch_steps++;
	}
}

/* --------------------------------------------------------------- tests */

/* The float hgnn_tanh against double tanh on [-12, 12] in steps of 1e-5. */
static void
test_tanh_accuracy(void)
{
	double		worst = 0.0;
	char		detail[80];
	int			i;

	for (i = -1200000; i <= 1200000; i++)
	{
		float		x = (float) (i * 1e-5);
		double		err = fabs((double) hgnn_tanh(x) - tanh((double) x));

		if (err > worst)
			worst = err;
	}
	snprintf(detail, sizeof(detail), "max absolute error %.1e", worst);
	check(worst <= 1e-7, "float tanh within 1e-7", detail);
}

/* three tasks, three classes; pair (2, 1) has no rows */
static const int multi_rows[9] = {30, 30, 30, 30, 30, 30, 30, 0, 30};

/*
 * Two tasks, two classes, B = 4.  Pair (0, 0) has 8 rows, so two batches
 * use each of them once.  Pair (0, 1) has 2 rows and is padded, pair
 * (1, 0) has none, and pair (1, 1) has 5 rows.
 */
static void
test_sampler(void)
{
	static const int rows[4] = {8, 2, 0, 5};
	Dataset		ds;
	HgnnSampler sampler;
	HgnnBatch	batch;
	HgnnRng		rng;
	hgnn_real	mean[2] = {0, 0};
	hgnn_real	scale[2] = {1, 1};
	int			batch_counts[4];
	int			used[15] = {0};
	int			grouped = 1,
				padded_complete = 1,
				once_per_pass = 1,
				distinct = 1,
				features_copied = 1;
	int			draw,
				p,
				i,
				j;
	char		detail[80];

	make_dataset(&ds, 2, 2, 2, rows, 3.0, 21);
	for (i = 0; i < 4; i++)
		batch_counts[i] = rows[i] > 0 ? 4 : 0;
	hgnn_batch_init(&batch, 2, 2, 2, batch_counts);
	hgnn_sampler_init(&sampler, &ds.data, 2, 2, rows, 4);
	hgnn_rng_seed(&rng, 5);

	check(batch.n_pairs == 3 && batch.n_rows == 12 &&
		  batch.task_start[1] == 8 && batch.max_task_rows == 8,
		  "batch has a block per present pair", "");

	for (draw = 0; draw < 2; draw++)
	{
		hgnn_sampler_next(&sampler, &rng, &ds.data, mean, scale, &batch);
		for (p = 0; p < batch.n_pairs; p++)
		{
			int			seen_small[15] = {0};

			for (i = batch.pair_start[p]; i < batch.pair_start[p + 1]; i++)
			{
				int			row = batch.row[i];

				if (ds.task[row] != batch.pair_task[p] ||
					ds.label[row] != batch.pair_class[p] ||
					batch.label[i] != ds.label[row])
					grouped = 0;
				for (j = 0; j < 2; j++)
					if (batch.x[i * 2 + j] != ds.features[row * 2 + j])
						features_copied = 0;
				if (p == 0)
					used[row]++;
				seen_small[row]++;
			}
			for (i = batch.pair_start[p]; i < batch.pair_start[p + 1]; i++)
			{
				int			row = batch.row[i];

				if (p == 1 && seen_small[row] == 0)
					padded_complete = 0;
				if (p != 1 && seen_small[row] > 1)
					distinct = 0;
			}
			if (p == 1 && (seen_small[8] == 0 || seen_small[9] == 0))
				padded_complete = 0;
		}
		if (batch.pair_task[0] != 0 || batch.pair_class[0] != 0 ||
			batch.pair_task[1] != 0 || batch.pair_class[1] != 1 ||
			batch.pair_task[2] != 1 || batch.pair_class[2] != 1)
			grouped = 0;
	}
	for (i = 0; i < 8; i++)
		if (used[i] != 1)
			once_per_pass = 0;

	check(grouped, "batch rows grouped by task, then class", "");
	check(features_copied, "sampler writes standardized features", "");
	check(distinct, "no row repeats inside a full block", "");
	check(once_per_pass, "two draws use each row of 8 once", "");
	check(padded_complete, "small pair sends all its rows", "");
	snprintf(detail, sizeof(detail), "%d steps",
			 hgnn_sampler_steps_per_epoch(&sampler, ds.data.n_rows));
	check(hgnn_sampler_steps_per_epoch(&sampler, ds.data.n_rows) == 2,
		  "steps per epoch is ceil(15 / 12)", detail);

	hgnn_sampler_free(&sampler);
	hgnn_batch_free(&batch);
	free_dataset(&ds);
}

static void
test_optimizer(void)
{
	HgnnAdam	adam;
	hgnn_real	params[2] = {0, 0};
	hgnn_real	grad[2] = {2, -3};
	hgnn_real	clipped[2] = {3, 4};
	double		norm;
	char		detail[96];

	/* bias correction makes the first Adam step lr * g / |g| */
	hgnn_adam_init(&adam, 2);
	hgnn_adam_step(&adam, params, grad, 0.1);
	snprintf(detail, sizeof(detail), "params %.7f %.7f", (double) params[0],
			 (double) params[1]);
	check(fabs(params[0] + 0.1) < 1e-6 && fabs(params[1] - 0.1) < 1e-6,
		  "first Adam step has size lr", detail);
	hgnn_adam_free(&adam);

	check(hgnn_epoch_learning_rate(HGNN_SCHEDULE_INVERSE, 0.02, 3) ==
		  0.02 / 4, "inverse learning rate of epoch 3 is lr / 4", "");
	check(hgnn_epoch_learning_rate(HGNN_SCHEDULE_CONSTANT, 0.02, 3) == 0.02,
		  "constant learning rate of epoch 3 is lr", "");

	norm = hgnn_clip_grad_norm(clipped, 2, 1.0);
	snprintf(detail, sizeof(detail), "norm %.3f, clipped %.4f %.4f", norm,
			 (double) clipped[0], (double) clipped[1]);
	check(norm == 5.0 && fabs(clipped[0] - 0.6) < 1e-6 &&
		  fabs(clipped[1] - 0.8) < 1e-6, "clipping scales to max norm",
		  detail);
	norm = hgnn_clip_grad_norm(clipped, 2, 0.0);
	check(fabs(clipped[0] - 0.6) < 1e-6, "clip norm 0 leaves gradient", "");
}

static void
test_learning(void)
{
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	model;
	LossTrace	trace = {0};
	char		errbuf[256] = "";
	char		detail[160];
	double		first,
				err;
	int			rc;

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 11);
	config_for(&cfg, &ds.data, 3, 3);
	rc = hgnn_train_classifier(&cfg, &ds.data, trace_progress, &trace,
							   &model, errbuf, sizeof(errbuf));
	check(rc == 0, "training succeeds", errbuf);
	if (rc != 0)
		return;
	hgnn_model_prepare(&model);

	first = trace.first_epoch_sum / trace.first_epoch_steps;
	snprintf(detail, sizeof(detail), "first epoch %.3f, last epoch %.3f",
			 first, model.final_loss);
	check(model.final_loss < 0.8 * first, "training lowers the loss", detail);

	snprintf(detail, sizeof(detail), "%d calls over %d epochs", trace.calls,
			 cfg.epochs);
	check(trace.calls >= cfg.epochs && trace.last_epoch == cfg.epochs - 1,
		  "progress runs after every step", detail);

	err = training_error(&model, &ds.data);
	snprintf(detail, sizeof(detail), "%.1f%% of %d rows", 100 * err,
			 ds.data.n_rows);
	check(err < 0.05, "training error below 5%", detail);

	snprintf(detail, sizeof(detail), "sigma %.4g", model.cfg.sigma);
	check(model.cfg.sigma > 0.0 && isfinite(model.cfg.sigma),
		  "sigma picked from the data is stored", detail);

	hgnn_model_free(&model);
	free_dataset(&ds);
}

static void
test_determinism(void)
{
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	a,
				b,
				c,
				d;
	char		errbuf[256] = "";
	char		detail[160];
	uint64_t	hash_a,
				hash_b,
				hash_c;
	double		err_a,
				err_d;

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 12);
	config_for(&cfg, &ds.data, 3, 3);
	cfg.epochs = 10;
	hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &a, errbuf,
						  sizeof(errbuf));
	hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &b, errbuf,
						  sizeof(errbuf));
	hash_a = hgnn_model_weights_hash(&a);
	hash_b = hgnn_model_weights_hash(&b);
	snprintf(detail, sizeof(detail), "%016llx and %016llx",
			 (unsigned long long) hash_a, (unsigned long long) hash_b);
	check(hash_a == hash_b, "same seed gives the same weights hash", detail);

	cfg.seed = 2;
	hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &c, errbuf,
						  sizeof(errbuf));
	hash_c = hgnn_model_weights_hash(&c);
	snprintf(detail, sizeof(detail), "%016llx", (unsigned long long) hash_c);
	check(hash_c != hash_a, "other seed gives another weights hash", detail);

	/*
	 * Bits need not match across BLAS thread counts.  With OpenBLAS 0.3.21
	 * on a 2-core AMD EPYC (Zen kernels), 1 and 2 threads gave weights
	 * that differ by up to 0.15: the threads change the order of the sums,
	 * and Adam turns a rounding-sized gradient into a full step.  The
	 * model must still fit the rows as well with one thread.
	 */
	cfg.seed = 1;
	openblas_set_num_threads(1);
	hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &d, errbuf,
						  sizeof(errbuf));
	openblas_set_num_threads(0);
	hgnn_model_prepare(&a);
	hgnn_model_prepare(&d);
	err_a = training_error(&a, &ds.data);
	err_d = training_error(&d, &ds.data);
	snprintf(detail, sizeof(detail), "training error %.4f, default threads %.4f",
			 err_d, err_a);
	check(err_d < 0.05, "one BLAS thread fits the rows", detail);
	check(fabs(err_d - err_a) <= 0.02,
		  "one BLAS thread fits as well as the default", detail);

	hgnn_model_free(&a);
	hgnn_model_free(&b);
	hgnn_model_free(&c);
	hgnn_model_free(&d);
	free_dataset(&ds);
}

static void
test_absent_pair(void)
{
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	model;
	HgnnRng		rng;
	char		errbuf[256] = "";
	char		detail[160];
	hgnn_real  *work;
	double		proba[3];
	double		worst_sum = 0.0;
	int			predicted_absent = 0;
	int			nonzero_absent = 0;
	int			zero_embedding = 1;
	int			i,
				j,
				rc;

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 13);
	config_for(&cfg, &ds.data, 3, 3);
	rc = hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &model, errbuf,
							   sizeof(errbuf));
	check(rc == 0, "training with an absent pair succeeds", errbuf);
	if (rc != 0)
		return;
	hgnn_model_prepare(&model);
	work = calloc(hgnn_predict_work_size(&model), sizeof(hgnn_real));

	/* task 2 on its rows, on the rows of class 1 from other tasks, on noise */
	hgnn_rng_seed(&rng, 99);
	for (i = 0; i < ds.data.n_rows + 300; i++)
	{
		float		x[4];
		double		sum = 0.0;
		int			k;

		for (j = 0; j < 4; j++)
			x[j] = i < ds.data.n_rows ?
				ds.features[(size_t) i * 4 + j] :
				(float) (4.0 * hgnn_rng_normal(&rng));
		if (hgnn_predict_row(&model, x, 2, work, proba) == 1)
			predicted_absent++;
		if (proba[1] != 0.0)
			nonzero_absent++;
		for (k = 0; k < 3; k++)
			sum += proba[k];
		if (fabs(sum - 1.0) > worst_sum)
			worst_sum = fabs(sum - 1.0);
	}
	snprintf(detail, sizeof(detail), "%d of %d rows", predicted_absent,
			 ds.data.n_rows + 300);
	check(predicted_absent == 0, "task never predicts its absent class",
		  detail);
	check(nonzero_absent == 0, "absent class gets probability 0", "");
	snprintf(detail, sizeof(detail), "max |sum - 1| %.1e", worst_sum);
	check(worst_sum < 1e-9, "probabilities sum to 1", detail);

	for (j = 0; j < cfg.class_embedding; j++)
		if (model.class_emb[(2 * 3 + 1) * cfg.class_embedding + j] != 0)
			zero_embedding = 0;
	check(!model.present[2 * 3 + 1] && zero_embedding,
		  "absent pair has no presence and a zero class embedding", "");

	free(work);
	hgnn_model_free(&model);
	free_dataset(&ds);
}

static void
test_augment_off(void)
{
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	model;
	char		errbuf[256] = "";
	char		detail[160];
	double		err;
	int			rc;

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 14);
	config_for(&cfg, &ds.data, 3, 3);
	cfg.augment = 0;
	rc = hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &model, errbuf,
							   sizeof(errbuf));
	check(rc == 0, "training without augmentation succeeds", errbuf);
	if (rc != 0)
		return;
	hgnn_model_prepare(&model);
	err = training_error(&model, &ds.data);
	snprintf(detail, sizeof(detail), "%.1f%%", 100 * err);
	check(err < 0.05, "training error without augmentation below 5%", detail);
	hgnn_model_free(&model);
	free_dataset(&ds);
}

/*
 * One task, two overlapping classes with 9 rows of class 0 for every row of
 * class 1.  Balanced batches train the network as if the classes were
 * equally frequent; the log prior moves predictions toward class 0.  With
 * two classes the prior can only raise the probability of class 0: it
 * raises candidate 0's score, lowers candidate 1's, and raises class 0's
 * logit under either candidate.
 */
static void
test_prior_correction(int augment)
{
	static const int rows[2] = {270, 30};
	const char *suffix = augment ? "augment on" : "augment off";
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	model;
	char		errbuf[256] = "";
	char		name[96];
	char		detail[160];
	hgnn_real  *work;
	double		proba[2];
	double		with_p0;
	int			frequent_with = 0,
				frequent_without = 0,
				lowered = 0;
	int			i,
				rc;

	make_dataset(&ds, 1, 2, 2, rows, 1.0, 15);
	config_for(&cfg, &ds.data, 1, 2);
	cfg.augment = augment;
	rc = hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &model, errbuf,
							   sizeof(errbuf));
	snprintf(name, sizeof(name), "training on imbalanced classes (%s)",
			 suffix);
	check(rc == 0, name, errbuf);
	if (rc != 0)
		return;

	snprintf(detail, sizeof(detail), "log priors %.4f and %.4f",
			 (double) model.log_prior[0], (double) model.log_prior[1]);
	snprintf(name, sizeof(name), "log priors are class frequencies (%s)",
			 suffix);
	check(fabs(model.log_prior[0] - log(0.9)) < 1e-6 &&
		  fabs(model.log_prior[1] - log(0.1)) < 1e-6, name, detail);

	hgnn_model_prepare(&model);
	work = calloc(hgnn_predict_work_size(&model), sizeof(hgnn_real));
	for (i = 0; i < ds.data.n_rows; i++)
	{
		const float *x = ds.features + (size_t) i * 2;

		model.cfg.prior_correction = 1;
		if (hgnn_predict_row(&model, x, 0, work, proba) == 0)
			frequent_with++;
		with_p0 = proba[0];
		model.cfg.prior_correction = 0;
		if (hgnn_predict_row(&model, x, 0, work, proba) == 0)
			frequent_without++;
		if (with_p0 < proba[0])
			lowered++;
	}
	snprintf(detail, sizeof(detail), "%d of %d rows", lowered,
			 ds.data.n_rows);
	snprintf(name, sizeof(name),
			 "prior never lowers frequent class probability (%s)", suffix);
	check(lowered == 0, name, detail);

	snprintf(detail, sizeof(detail),
			 "frequent class predicted for %d rows with, %d without",
			 frequent_with, frequent_without);
	snprintf(name, sizeof(name),
			 "prior correction favors the frequent class (%s)", suffix);
	if (augment)
		check(frequent_with >= frequent_without, name, detail);
	else
		check(frequent_with > frequent_without, name, detail);
	free(work);
	hgnn_model_free(&model);
	free_dataset(&ds);
}

static void
expect_rejected(const char *name, const HgnnConfig *cfg,
				const HgnnData *data)
{
	HgnnModel	model;
	char		errbuf[256] = "";
	char		detail[300];
	int			rc;

	rc = hgnn_train_classifier(cfg, data, NULL, NULL, &model, errbuf,
							   sizeof(errbuf));
	snprintf(detail, sizeof(detail), "\"%s\"", errbuf);
	check(rc == -1 && errbuf[0] != '\0' && model.params == NULL, name,
		  detail);
}

static void
test_validation(void)
{
	static const int one_class[4] = {20, 0, 20, 0};
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnData	bad;
	float	   *features;
	int		   *labels;
	int		   *tasks;

	make_dataset(&ds, 2, 2, 3, one_class, 3.0, 16);
	config_for(&cfg, &ds.data, 2, 2);
	expect_rejected("one class overall is rejected", &cfg, &ds.data);
	free_dataset(&ds);

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 17);
	config_for(&cfg, &ds.data, 3, 3);
	bad = ds.data;
	labels = malloc(sizeof(int) * ds.data.n_rows);
	memcpy(labels, ds.label, sizeof(int) * ds.data.n_rows);
	labels[5] = 3;
	bad.label = labels;
	expect_rejected("label out of range is rejected", &cfg, &bad);

	bad = ds.data;
	tasks = malloc(sizeof(int) * ds.data.n_rows);
	memcpy(tasks, ds.task, sizeof(int) * ds.data.n_rows);
	tasks[7] = -1;
	bad.task = tasks;
	expect_rejected("task out of range is rejected", &cfg, &bad);

	bad = ds.data;
	features = malloc(sizeof(float) * ds.data.n_rows * 4);
	memcpy(features, ds.features, sizeof(float) * ds.data.n_rows * 4);
	features[9] = NAN;
	bad.features = features;
	expect_rejected("NaN feature is rejected", &cfg, &bad);

	cfg.n_tasks = 4;
	expect_rejected("task without rows is rejected", &cfg, &ds.data);

	free(labels);
	free(tasks);
	free(features);
	free_dataset(&ds);
}

static void
test_allocation(void)
{
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	model;
	char		errbuf[256] = "";
	char		detail[160];
	hgnn_real  *work;
	double		proba[3];
	hgnn_alloc_fn saved_alloc = hgnn_alloc_hook;
	hgnn_free_fn saved_free = hgnn_free_hook;
	long		before;
	int			i;

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 18);
	config_for(&cfg, &ds.data, 3, 3);
	cfg.epochs = 3;
	hgnn_alloc_hook = counting_alloc;
	hgnn_free_hook = counting_free;
	n_allocs = n_frees = 0;

	hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &model, errbuf,
						  sizeof(errbuf));
	hgnn_model_prepare(&model);
	work = hgnn_alloc_array(hgnn_predict_work_size(&model),
							sizeof(hgnn_real));
	before = n_allocs;
	for (i = 0; i < ds.data.n_rows; i++)
		hgnn_predict_row(&model, ds.features + (size_t) i * 4, ds.task[i],
						 work, proba);
	snprintf(detail, sizeof(detail), "%ld allocations", n_allocs - before);
	check(n_allocs == before, "prediction allocates nothing", detail);

	hgnn_free(work);
	hgnn_model_free(&model);
	snprintf(detail, sizeof(detail), "%ld allocations, %ld frees", n_allocs,
			 n_frees);
	check(n_allocs > 0 && n_allocs == n_frees,
		  "training and model_free release every allocation", detail);
	hgnn_alloc_hook = saved_alloc;
	hgnn_free_hook = saved_free;
	free_dataset(&ds);
}

typedef struct StepClock
{
	struct timespec last;
	double		total_ms;		/* steps after the first */
	int			steps;
} StepClock;

static void
clock_progress(void *arg, int epoch, int step, double loss)
{
	StepClock  *clock = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (clock->steps > 0)
		clock->total_ms += (now.tv_sec - clock->last.tv_sec) * 1e3 +
			(now.tv_nsec - clock->last.tv_nsec) * 1e-6;
	clock->steps++;
	clock->last = now;
}

/*
 * 15 tasks x 11 classes, d = 10, 700 rows, the prototype's h = 600 and
 * B = 32: a
 * step has 5,280 rows in task blocks of 352, and an epoch is one step.  The
 * time between progress calls after the first step is the time of a step,
 * measured with one BLAS thread.
 */
static void
test_step_time(void)
{
	int			rows[165];
	Dataset		ds;
	HgnnConfig	cfg;
	HgnnModel	model;
	StepClock	clock = {{0}};
	char		errbuf[256] = "";
	char		detail[160];
	double		ms;
	int			i,
				rc;

	for (i = 0; i < 165; i++)
		rows[i] = i < 40 ? 5 : 4;
	make_dataset(&ds, 15, 11, 10, rows, 1.0, 19);
	hgnn_config_defaults(&cfg, HGNN_KIND_CLASSIFIER);
	cfg.n_features = 10;
	cfg.n_tasks = 15;
	cfg.n_classes = 11;
	cfg.hidden = 600;
	cfg.epochs = 5;

	openblas_set_num_threads(1);
	rc = hgnn_train_classifier(&cfg, &ds.data, clock_progress, &clock,
							   &model, errbuf, sizeof(errbuf));
	openblas_set_num_threads(0);
	ms = clock.total_ms / (clock.steps - 1);
	snprintf(detail, sizeof(detail),
			 "%.0f ms per step of %d rows, mean of %d steps, one BLAS thread",
			 ms, 32 * 165, clock.steps - 1);
	check(rc == 0 && ms < 1000.0, "vowel-sized step takes under 1 s", detail);
	hgnn_model_free(&model);
	free_dataset(&ds);
}

/* ---------------------------------------------------------- regression */

typedef struct RegressionSet
{
	HgnnData	data;
	float	   *features;
	int		   *task;
	double	   *target;
} RegressionSet;

/*
 * Builds rows[t] rows for task t, grouped by task.  Features are standard
 * normal, and the target of task t is offset[t] + scale[t] * (f(x) +
 * noise * e), with f(x) = sin(x . w) + 0.5 x_0 and w shifted a little per
 * task.
 */
static void
make_regression_set(RegressionSet *rs, int n_tasks, int n_features,
					const int *rows, const double *offset,
					const double *scale, double noise, uint64_t seed)
{
	HgnnRng		rng;
	double	   *w = calloc((size_t) n_tasks * n_features, sizeof(double));
	double		base[16];
	int			n_rows = 0;
	int			i,
				j,
				t,
				r;

	hgnn_rng_seed(&rng, seed);
	for (j = 0; j < n_features; j++)
		base[j] = hgnn_rng_normal(&rng) / sqrt((double) n_features);
	for (t = 0; t < n_tasks; t++)
		for (j = 0; j < n_features; j++)
			w[t * n_features + j] = base[j] + 0.2 * hgnn_rng_normal(&rng);
	for (t = 0; t < n_tasks; t++)
		n_rows += rows[t];

	rs->features = calloc((size_t) n_rows * n_features, sizeof(float));
	rs->task = calloc(n_rows, sizeof(int));
	rs->target = calloc(n_rows, sizeof(double));
	i = 0;
	for (t = 0; t < n_tasks; t++)
		for (r = 0; r < rows[t]; r++, i++)
		{
			double		dot = 0.0;
			float	   *x = rs->features + (size_t) i * n_features;

			for (j = 0; j < n_features; j++)
			{
				x[j] = (float) hgnn_rng_normal(&rng);
				dot += w[t * n_features + j] * x[j];
			}
			rs->task[i] = t;
			rs->target[i] = offset[t] + scale[t] *
				(sin(dot) + 0.5 * x[0] + noise * hgnn_rng_normal(&rng));
		}
	rs->data.n_rows = n_rows;
	rs->data.n_features = n_features;
	rs->data.features = rs->features;
	rs->data.task = rs->task;
	rs->data.label = NULL;
	rs->data.target = rs->target;
	free(w);
}

static void
free_regression_set(RegressionSet *rs)
{
	free(rs->features);
	free(rs->task);
	free(rs->target);
}

static void
regression_config(HgnnConfig *cfg, const HgnnData *data, int n_tasks)
{
	hgnn_config_defaults(cfg, HGNN_KIND_REGRESSION);
	cfg->n_features = data->n_features;
	cfg->n_tasks = n_tasks;
	cfg->n_classes = 1;
	cfg->hidden = 32;
	cfg->epochs = 80;
	cfg->batch_per_group = 16;
	cfg->learning_rate = 0.05;
	cfg->weight_decay = 0.001;
}

/*
 * Writes into rmse[t] the root mean squared training error of task t
 * divided by the task's target sd, so 1 is the error of predicting the
 * mean.  Returns the number of rows whose prediction is not finite.
 */
static int
regression_errors(const HgnnModel *model, const HgnnData *data,
				  double *rmse)
{
	int			T = model->cfg.n_tasks;
	hgnn_real  *work = calloc(hgnn_predict_work_size(model),
							  sizeof(hgnn_real));
	int		   *rows = calloc(T, sizeof(int));
	int			bad = 0;
	int			i,
				t;

	for (t = 0; t < T; t++)
		rmse[t] = 0.0;
	for (i = 0; i < data->n_rows; i++)
	{
		double		value = hgnn_predict_value(model,
											   data->features +
											   (size_t) i * data->n_features,
											   data->task[i], work);
		double		diff = value - data->target[i];

		if (!isfinite(value))
			bad++;
		rmse[data->task[i]] += diff * diff;
		rows[data->task[i]]++;
	}
	for (t = 0; t < T; t++)
		rmse[t] = sqrt(rmse[t] / rows[t]) / model->target_scale[t];
	free(work);
	free(rows);
	return bad;
}

/*
 * Two tasks, B = 4: task 0 has 8 rows and task 1 has 2, so task 1 is
 * padded.  Every batch target must be the standardized target of the
 * batch row at that position.
 */
static void
test_regression_sampler(void)
{
	static const int rows[2] = {8, 2};
	static const double offset[2] = {100, -3};
	static const double scale[2] = {2, 1};
	static const double mean[2] = {100, -3};
	static const double sd[2] = {4, 0.5};
	RegressionSet rs;
	HgnnSampler sampler;
	HgnnBatch	batch;
	HgnnRng		rng;
	hgnn_real	fmean[3] = {0, 0, 0};
	hgnn_real	fscale[3] = {1, 1, 1};
	int			batch_counts[2] = {4, 4};
	int			paired = 1,
				in_task = 1,
				padded_complete = 1;
	int			draw,
				t,
				i;

	make_regression_set(&rs, 2, 3, rows, offset, scale, 0.1, 31);
	hgnn_batch_init(&batch, 2, 1, 3, batch_counts);
	hgnn_sampler_init(&sampler, &rs.data, 2, 1, rows, 4);
	hgnn_rng_seed(&rng, 8);

	check(batch.n_pairs == 2 && batch.task_start[1] == 4 &&
		  batch.n_rows == 8, "regression batch has a block per task", "");
	for (draw = 0; draw < 3; draw++)
	{
		int			seen[2] = {0, 0};

		hgnn_sampler_next(&sampler, &rng, &rs.data, fmean, fscale, &batch);
		hgnn_batch_fill_targets(&batch, &rs.data, mean, sd);
		for (t = 0; t < 2; t++)
			for (i = batch.task_start[t]; i < batch.task_start[t + 1]; i++)
			{
				int			row = batch.row[i];
				double		expected = (rs.target[row] - mean[t]) / sd[t];

				if (rs.task[row] != t)
					in_task = 0;
				if (fabs(batch.target[i] - expected) > 1e-5 * fabs(expected) +
					1e-6)
					paired = 0;
				if (t == 1)
					seen[row - 8] = 1;
			}
		if (!seen[0] || !seen[1])
			padded_complete = 0;
	}
	check(in_task, "regression batch rows belong to their task", "");
	check(paired, "batch targets are those of the batch rows", "");
	check(padded_complete, "padded regression task sends all its rows", "");
	check(hgnn_sampler_steps_per_epoch(&sampler, rs.data.n_rows) == 2,
		  "regression steps per epoch is ceil(10 / 8)", "");

	hgnn_sampler_free(&sampler);
	hgnn_batch_free(&batch);
	free_regression_set(&rs);
}

/*
 * Three tasks in very different units.  The model must learn every task
 * to a fraction of its target sd, and predict in the target's units.
 */
static void
test_regression_learning(int augment)
{
	static const int rows[3] = {120, 90, 150};
	static const double offset[3] = {1000, -5, 0};
	static const double scale[3] = {10, 1, 0.01};
	const char *suffix = augment ? "augment on" : "augment off";
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnModel	model;
	LossTrace	trace = {0};
	char		errbuf[256] = "";
	char		name[96];
	char		detail[160];
	double		rmse[3] = {0, 0, 0};
	double		mean_ok = 1,
				sd_ok = 1;
	double		first;
	int			bad,
				rc,
				i,
				t;

	make_regression_set(&rs, 3, 4, rows, offset, scale, 0.05, 41);
	regression_config(&cfg, &rs.data, 3);
	cfg.augment = augment;
	rc = hgnn_train_regressor(&cfg, &rs.data, trace_progress, &trace,
							  &model, errbuf, sizeof(errbuf));
	snprintf(name, sizeof(name), "regression training succeeds (%s)",
			 suffix);
	check(rc == 0, name, errbuf);
	if (rc != 0)
		return;
	hgnn_model_prepare(&model);

	/* the stored standardization is the population mean and sd per task */
	for (t = 0, i = 0; t < 3; t++)
	{
		double		sum = 0.0,
					sq = 0.0;
		int			r0 = i;

		for (; i < r0 + rows[t]; i++)
			sum += rs.target[i];
		for (i = r0; i < r0 + rows[t]; i++)
			sq += (rs.target[i] - sum / rows[t]) *
				(rs.target[i] - sum / rows[t]);
		if (fabs(model.target_mean[t] - sum / rows[t]) >
			1e-9 * fabs(sum / rows[t]) + 1e-12)
			mean_ok = 0;
		if (fabs(model.target_scale[t] - sqrt(sq / rows[t])) >
			1e-9 * sqrt(sq / rows[t]))
			sd_ok = 0;
	}
	snprintf(name, sizeof(name), "target means are per task (%s)", suffix);
	check(mean_ok, name, "");
	snprintf(name, sizeof(name), "target scales are per-task sd (%s)",
			 suffix);
	check(sd_ok, name, "");

	first = trace.first_epoch_sum / trace.first_epoch_steps;
	snprintf(detail, sizeof(detail), "first epoch %.3f, last epoch %.3f",
			 first, model.final_loss);
	snprintf(name, sizeof(name), "regression lowers the loss (%s)", suffix);
	check(model.final_loss < 0.5 * first, name, detail);

	bad = regression_errors(&model, &rs.data, rmse);
	snprintf(detail, sizeof(detail),
			 "RMSE / sd %.3f, %.3f, %.3f; %d not finite", rmse[0], rmse[1],
			 rmse[2], bad);
	snprintf(name, sizeof(name),
			 "every task learned to RMSE below 0.35 sd (%s)", suffix);
	check(bad == 0 && rmse[0] < 0.35 && rmse[1] < 0.35 && rmse[2] < 0.35,
		  name, detail);

	snprintf(detail, sizeof(detail), "%d values, last %.4f",
			 cfg.epochs, model.epoch_loss[cfg.epochs - 1]);
	snprintf(name, sizeof(name), "epoch losses recorded (%s)", suffix);
	check(model.epoch_loss[cfg.epochs - 1] == model.final_loss &&
		  model.epoch_loss[0] == first, name, detail);

	if (augment)
	{
		double		worst = 0.0;

		for (t = 0; t < 3; t++)
		{
			double		sum = 0.0;

			for (i = 0; i < 3; i++)
				sum += model.task_relation[t * 3 + i];
			if (fabs(sum - 1.0) > worst)
				worst = fabs(sum - 1.0);
		}
		snprintf(detail, sizeof(detail), "max |sum - 1| %.1e", worst);
		check(worst < 1e-5, "task relation rows sum to 1", detail);
	}
	else
		check(model.task_relation == NULL,
			  "no task relation without augmentation", "");

	hgnn_model_free(&model);
	free_regression_set(&rs);
}

/*
 * A task whose targets are all equal has sd 0, so its scale is 1 and its
 * predictions stay near the constant.
 */
static void
test_regression_constant_task(void)
{
	static const int rows[2] = {60, 60};
	static const double offset[2] = {0, 0};
	static const double scale[2] = {1, 1};
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnModel	model;
	char		errbuf[256] = "";
	char		detail[160];
	hgnn_real  *work;
	double		worst = 0.0;
	int			i,
				rc;

	make_regression_set(&rs, 2, 3, rows, offset, scale, 0.1, 51);
	for (i = 60; i < 120; i++)
		rs.target[i] = 42.5;
	regression_config(&cfg, &rs.data, 2);
	cfg.epochs = 30;
	rc = hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &model, errbuf,
							  sizeof(errbuf));
	check(rc == 0, "regression with a constant task succeeds", errbuf);
	if (rc != 0)
		return;
	hgnn_model_prepare(&model);
	snprintf(detail, sizeof(detail), "mean %.4f, scale %.4f",
			 model.target_mean[1], model.target_scale[1]);
	check(model.target_mean[1] == 42.5 && model.target_scale[1] == 1.0,
		  "constant task has its value as mean and scale 1", detail);

	work = calloc(hgnn_predict_work_size(&model), sizeof(hgnn_real));
	for (i = 60; i < 120; i++)
	{
		double		err = fabs(hgnn_predict_value(&model,
												  rs.features + (size_t) i * 3,
												  1, work) - 42.5);

		if (!(err <= worst))
			worst = err;
	}
	snprintf(detail, sizeof(detail), "max error %.4f", worst);
	check(worst < 0.1, "constant task predicts its value", detail);
	free(work);
	hgnn_model_free(&model);
	free_regression_set(&rs);
}

static void
test_regression_determinism(void)
{
	static const int rows[2] = {50, 40};
	static const double offset[2] = {3, 7};
	static const double scale[2] = {1, 2};
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnModel	a,
				b,
				c;
	char		errbuf[256] = "";
	char		detail[160];
	uint64_t	hash_a,
				hash_b,
				hash_c;

	make_regression_set(&rs, 2, 3, rows, offset, scale, 0.1, 61);
	regression_config(&cfg, &rs.data, 2);
	cfg.epochs = 5;
	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &a, errbuf,
						 sizeof(errbuf));
	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &b, errbuf,
						 sizeof(errbuf));
	cfg.seed = 2;
	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &c, errbuf,
						 sizeof(errbuf));
	hash_a = hgnn_model_weights_hash(&a);
	hash_b = hgnn_model_weights_hash(&b);
	hash_c = hgnn_model_weights_hash(&c);
	snprintf(detail, sizeof(detail), "%016llx and %016llx",
			 (unsigned long long) hash_a, (unsigned long long) hash_b);
	check(hash_a == hash_b, "regression seed gives the same weights hash",
		  detail);
	check(hash_c != hash_a, "regression other seed gives another hash", "");

	/* the hash covers the target standardization */
	a.target_mean[0] += 1.0;
	check(hgnn_model_weights_hash(&a) != hash_a,
		  "weights hash covers the target mean", "");

	hgnn_model_free(&a);
	hgnn_model_free(&b);
	hgnn_model_free(&c);
	free_regression_set(&rs);
}

/*
 * weight_decay_scale rows must train exactly as none with the scaled
 * lambda, weight_decay * tasks / rows, and the model must keep the option
 * as given.
 */
static void
test_decay_scale(void)
{
	static const int rows[2] = {50, 40};
	static const double offset[2] = {3, 7};
	static const double scale[2] = {1, 2};
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnModel	rows_model,
				scaled,
				unscaled;
	char		errbuf[256] = "";
	char		detail[160];
	double		lambda;

	make_regression_set(&rs, 2, 3, rows, offset, scale, 0.1, 61);
	regression_config(&cfg, &rs.data, 2);
	cfg.epochs = 5;
	cfg.weight_decay = 0.5;
	cfg.weight_decay_scale = HGNN_DECAY_ROWS;
	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &rows_model, errbuf,
						 sizeof(errbuf));
	lambda = hgnn_effective_weight_decay(&cfg, rs.data.n_rows);
	snprintf(detail, sizeof(detail), "%.9g", lambda);
	check(lambda == 0.5 * 2 / 90.0, "rows scale divides by rows per task",
		  detail);
	cfg.weight_decay_scale = HGNN_DECAY_NONE;
	check(hgnn_effective_weight_decay(&cfg, rs.data.n_rows) == 0.5,
		  "no scale keeps weight_decay", "");

	cfg.weight_decay = lambda;
	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &scaled, errbuf,
						 sizeof(errbuf));
	cfg.weight_decay = 0.5;
	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &unscaled, errbuf,
						 sizeof(errbuf));
	snprintf(detail, sizeof(detail), "%016llx, %016llx and %016llx",
			 (unsigned long long) hgnn_model_weights_hash(&rows_model),
			 (unsigned long long) hgnn_model_weights_hash(&scaled),
			 (unsigned long long) hgnn_model_weights_hash(&unscaled));
	check(hgnn_model_weights_hash(&rows_model) ==
		  hgnn_model_weights_hash(&scaled),
		  "rows scale trains as the scaled weight_decay", detail);
	check(hgnn_model_weights_hash(&rows_model) !=
		  hgnn_model_weights_hash(&unscaled),
		  "rows scale trains otherwise than the unscaled one", detail);
	check(rows_model.cfg.weight_decay == 0.5 &&
		  rows_model.cfg.weight_decay_scale == HGNN_DECAY_ROWS,
		  "the model keeps weight_decay and its scale as given", "");

	hgnn_model_free(&rows_model);
	hgnn_model_free(&scaled);
	hgnn_model_free(&unscaled);
	free_regression_set(&rs);
}

static void
expect_regression_rejected(const char *name, const HgnnConfig *cfg,
						   const HgnnData *data)
{
	HgnnModel	model;
	char		errbuf[256] = "";
	char		detail[300];
	int			rc;

	rc = hgnn_train_regressor(cfg, data, NULL, NULL, &model, errbuf,
							  sizeof(errbuf));
	snprintf(detail, sizeof(detail), "\"%s\"", errbuf);
	check(rc == -1 && errbuf[0] != '\0' && model.params == NULL, name,
		  detail);
}

static void
test_regression_validation(void)
{
	static const int rows[2] = {20, 20};
	static const double offset[2] = {0, 0};
	static const double scale[2] = {1, 1};
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnData	bad;
	HgnnModel	model;
	char		errbuf[256] = "";
	double	   *target;
	int			rc;

	make_regression_set(&rs, 2, 3, rows, offset, scale, 0.1, 71);
	regression_config(&cfg, &rs.data, 2);

	bad = rs.data;
	target = malloc(sizeof(double) * rs.data.n_rows);
	memcpy(target, rs.target, sizeof(double) * rs.data.n_rows);
	target[3] = INFINITY;
	bad.target = target;
	expect_regression_rejected("infinite target is rejected", &cfg, &bad);

	/* finite targets whose difference overflows double */
	memcpy(target, rs.target, sizeof(double) * rs.data.n_rows);
	check(rs.data.task[0] == rs.data.task[1], "rows 0 and 1 share a task", "");
	target[0] = 9e307;
	target[1] = -9e307;
	rc = hgnn_train_regressor(&cfg, &bad, NULL, NULL, &model, errbuf,
							  sizeof(errbuf));
	check(rc == -1 && model.params == NULL,
		  "target range past double is rejected", errbuf);
	check(strstr(errbuf, "range from -9e+307 to 9e+307") != NULL,
		  "target range error names both ends", errbuf);

	/* a range just inside double trains, with a finite mean and scale */
	target[0] = 8e307;
	target[1] = -8e307;
	errbuf[0] = '\0';
	rc = hgnn_train_regressor(&cfg, &bad, NULL, NULL, &model, errbuf,
							  sizeof(errbuf));
	check(rc == 0, "target range inside double trains", errbuf);
	if (rc == 0)
	{
		check(isfinite(model.target_mean[rs.data.task[0]]) &&
			  isfinite(model.target_scale[rs.data.task[0]]),
			  "wide target range has finite mean and scale", "");
		hgnn_model_free(&model);
	}

	bad = rs.data;
	bad.target = NULL;
	expect_regression_rejected("regression without targets is rejected",
							   &cfg, &bad);

	cfg.n_classes = 2;
	expect_regression_rejected("regression with 2 outputs is rejected", &cfg,
							   &rs.data);
	cfg.n_classes = 1;

	cfg.n_tasks = 3;
	expect_regression_rejected("regression task without rows is rejected",
							   &cfg, &rs.data);
	cfg.n_tasks = 2;

	cfg.kind = HGNN_KIND_CLASSIFIER;
	expect_regression_rejected("classifier config is not a regression",
							   &cfg, &rs.data);

	cfg.kind = HGNN_KIND_REGRESSION;
	rc = hgnn_train_classifier(&cfg, &rs.data, NULL, NULL, &model, errbuf,
							   sizeof(errbuf));
	check(rc == -1 && model.params == NULL,
		  "regression config is not a classifier", errbuf);

	free(target);
	free_regression_set(&rs);
}

static void
test_regression_allocation(void)
{
	static const int rows[2] = {30, 30};
	static const double offset[2] = {0, 10};
	static const double scale[2] = {1, 3};
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnModel	model;
	char		errbuf[256] = "";
	char		detail[160];
	hgnn_real  *work;
	double		proba[1];
	float		x[3] = {0, 0, 0};
	hgnn_alloc_fn saved_alloc = hgnn_alloc_hook;
	hgnn_free_fn saved_free = hgnn_free_hook;
	long		before;
	int			i;

	make_regression_set(&rs, 2, 3, rows, offset, scale, 0.1, 81);
	regression_config(&cfg, &rs.data, 2);
	cfg.epochs = 3;
	hgnn_alloc_hook = counting_alloc;
	hgnn_free_hook = counting_free;
	n_allocs = n_frees = 0;

	hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &model, errbuf,
						 sizeof(errbuf));
	hgnn_model_prepare(&model);
	work = hgnn_alloc_array(hgnn_predict_work_size(&model),
							sizeof(hgnn_real));
	before = n_allocs;
	for (i = 0; i < rs.data.n_rows; i++)
		hgnn_predict_value(&model, rs.features + (size_t) i * 3, rs.task[i],
						   work);
	snprintf(detail, sizeof(detail), "%ld allocations", n_allocs - before);
	check(n_allocs == before, "regression prediction allocates nothing",
		  detail);

	check(isnan(hgnn_predict_value(&model, x, 2, work)),
		  "regression task out of range gives NaN", "");
	x[1] = NAN;
	check(isnan(hgnn_predict_value(&model, x, 0, work)),
		  "regression NaN feature gives NaN", "");
	check(hgnn_predict_row(&model, rs.features, 0, work, proba) == -1,
		  "classifier scoring of a regression model gives -1", "");

	hgnn_free(work);
	hgnn_model_free(&model);
	snprintf(detail, sizeof(detail), "%ld allocations, %ld frees", n_allocs,
			 n_frees);
	check(n_allocs > 0 && n_allocs == n_frees,
		  "regression training releases every allocation", detail);
	hgnn_alloc_hook = saved_alloc;
	hgnn_free_hook = saved_free;
	free_regression_set(&rs);
}

/*
 * A relu model predicts through relu: flipping only the activation of the
 * trained model to tanh changes the prediction of some training row, for
 * a classifier (probabilities) and a regression model (values).
 */
static void
test_relu_prediction(void)
{
	static const int rows[3] = {40, 40, 40};
	static const double offset[3] = {0, 0, 0};
	static const double scale[3] = {1, 1, 1};
	Dataset		ds;
	RegressionSet rs;
	HgnnConfig	cfg;
	HgnnModel	model;
	hgnn_real  *work;
	double	   *relu_proba;
	double	   *tanh_proba;
	char		errbuf[256] = "";
	int			changed = 0;
	int			rc,
				i,
				k;

	make_dataset(&ds, 3, 3, 4, multi_rows, 3.0, 17);
	config_for(&cfg, &ds.data, 3, 3);
	cfg.activation = HGNN_ACT_RELU;
	cfg.hidden = 16;
	cfg.epochs = 10;
	rc = hgnn_train_classifier(&cfg, &ds.data, NULL, NULL, &model, errbuf,
							   sizeof(errbuf));
	check(rc == 0, "relu classifier training succeeds", errbuf);
	if (rc == 0)
	{
		hgnn_model_prepare(&model);
		work = calloc(hgnn_predict_work_size(&model), sizeof(hgnn_real));
		relu_proba = calloc(3, sizeof(double));
		tanh_proba = calloc(3, sizeof(double));
		for (i = 0; i < ds.data.n_rows; i++)
		{
			const float *x = ds.features + (size_t) i * ds.data.n_features;

			model.cfg.activation = HGNN_ACT_RELU;
			hgnn_predict_row(&model, x, ds.task[i], work, relu_proba);
			model.cfg.activation = HGNN_ACT_TANH;
			hgnn_predict_row(&model, x, ds.task[i], work, tanh_proba);
			for (k = 0; k < 3; k++)
				if (relu_proba[k] != tanh_proba[k])
					changed = 1;
		}
		check(changed, "relu classifier predicts through relu", "");
		free(work);
		free(relu_proba);
		free(tanh_proba);
		hgnn_model_free(&model);
	}
	free_dataset(&ds);

	changed = 0;
	make_regression_set(&rs, 3, 4, rows, offset, scale, 0.05, 43);
	regression_config(&cfg, &rs.data, 3);
	cfg.activation = HGNN_ACT_RELU;
	cfg.epochs = 10;
	rc = hgnn_train_regressor(&cfg, &rs.data, NULL, NULL, &model, errbuf,
							  sizeof(errbuf));
	check(rc == 0, "relu regression training succeeds", errbuf);
	if (rc == 0)
	{
		hgnn_model_prepare(&model);
		work = calloc(hgnn_predict_work_size(&model), sizeof(hgnn_real));
		for (i = 0; i < rs.data.n_rows; i++)
		{
			const float *x = rs.features + (size_t) i * rs.data.n_features;
			double		relu_value,
						tanh_value;

			model.cfg.activation = HGNN_ACT_RELU;
			relu_value = hgnn_predict_value(&model, x, rs.task[i], work);
			model.cfg.activation = HGNN_ACT_TANH;
			tanh_value = hgnn_predict_value(&model, x, rs.task[i], work);
			if (relu_value != tanh_value)
				changed = 1;
		}
		check(changed, "relu regression predicts through relu", "");
		free(work);
		hgnn_model_free(&model);
	}
	free_regression_set(&rs);
}

int
main(void)
{
	test_tanh_accuracy();
	test_sampler();
	test_optimizer();
	test_learning();
	test_determinism();
	test_absent_pair();
	test_augment_off();
	test_prior_correction(0);
	test_prior_correction(1);
	test_validation();
	test_allocation();
	test_step_time();
	test_regression_sampler();
	test_regression_learning(1);
	test_regression_learning(0);
	test_regression_constant_task();
	test_regression_determinism();
	test_decay_scale();
	test_regression_validation();
	test_regression_allocation();
	test_relu_prediction();

	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed == 0 ? 0 : 1;
}
