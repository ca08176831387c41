/*
 * model.h
 *		The HGNN models: configuration, parameter layout, trained model.
 *
 * This header is the contract between the model math (model.c, layers.c,
 * sampler.c, optim.c, train.c, predict.c, encode.c), which is plain C, and
 * the SQL layer, which fills an HgnnData from table rows and stores an
 * encoded HgnnModel as bytea.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_MODEL_H
#define HGNN_MODEL_H

#include "layers.h"
#include "linalg.h"

typedef enum HgnnKind
{
	HGNN_KIND_CLASSIFIER = 1,
	HGNN_KIND_REGRESSION = 2	/* one real-valued output per task */
} HgnnKind;

/*
 * The output layers that the augmented features feed (base_model.c).  The
 * values are stored in the model encoding, so they never change.
 */
typedef enum HgnnBaseModel
{
	HGNN_BASE_DMTL = 0,			/* one output layer per task */
	HGNN_BASE_TNRMTL = 1,		/* the same, trace-norm regularised */
	HGNN_BASE_LAF = 2,			/* O_t = L S_t */
	HGNN_BASE_TUCKER = 3,		/* Tucker factors of the T x a x C tensor */
	HGNN_BASE_TT = 4,			/* tensor train of two cores */
	HGNN_BASE_STL = 5			/* one whole network per task */
} HgnnBaseModel;

#define HGNN_BASE_LAST HGNN_BASE_STL

/*
 * Learning-rate schedules (optim.c).  The values are stored in the model
 * encoding from format version 4 on.  Older models trained with
 * HGNN_SCHEDULE_INVERSE.
 */
typedef enum HgnnSchedule
{
	HGNN_SCHEDULE_INVERSE = 0,	/* lr / (1 + epoch), the prototype's */
	HGNN_SCHEDULE_CONSTANT = 1	/* lr at every step */
} HgnnSchedule;

#define HGNN_SCHEDULE_LAST HGNN_SCHEDULE_CONSTANT

/*
 * How weight_decay scales with the training rows.  The loss is a sum of
 * per-task means, so a fixed penalty weighs as much against a task of
 * 3,000 rows as against one of 30.  HGNN_DECAY_ROWS divides it by the
 * mean rows per task, as a prior on the weights would against a summed
 * loss.  Stored from format version 6 on; older models used
 * HGNN_DECAY_NONE.
 */
typedef enum HgnnDecayScale
{
	HGNN_DECAY_NONE = 0,		/* weight_decay as given */
	HGNN_DECAY_ROWS = 1			/* weight_decay * n_tasks / training rows */
} HgnnDecayScale;

#define HGNN_DECAY_LAST HGNN_DECAY_ROWS

/*
 * Training configuration.  The SQL layer fills it from the options jsonb
 * after hgnn_config_defaults() of the model kind; the data dimensions come
 * from the rows.
 */
typedef struct HgnnConfig
{
	HgnnKind	kind;
	HgnnActivation activation;

	/* dimensions */
	int			n_features;		/* d */
	int			n_tasks;		/* T */
	int			n_classes;		/* C, shared by all tasks; 1 in regression */
	int			hidden;			/* h: width of H0, H1, H2 */
	int			gat_hidden;		/* g: first layer of both attention graphs */
	int			task_embedding; /* ft: width of E2 */
	int			class_embedding;	/* fc: width of C2 */

	/* training */
	int			epochs;
	int			batch_per_group;	/* B: rows per (task, class) per step */
	double		learning_rate;	/* Adam step size at epoch 0 */
	HgnnSchedule lr_schedule;	/* step size of the later epochs */
	double		weight_decay;	/* lambda of the L2 penalty on W and O_t */
	HgnnDecayScale weight_decay_scale;	/* of lambda by the training rows */
	double		sigma;			/* kernel width; <= 0 asks train to pick the
								 * median pairwise squared distance */
	double		clip_norm;		/* global gradient norm cap; 0 disables */
	uint64_t	seed;
	int			standardize;	/* z-score features with training mean/sd */
	int			augment;		/* 0 trains plain DMTL: no graphs, a = [H0] */
	int			prior_correction;	/* add log class frequency at prediction */

	/* base model; the ranks are unused by the models that have none */
	HgnnBaseModel base_model;
	double		trace_norm;		/* weight of the TNRMTL penalty */
	int			rank;			/* LAF and TT rank, Tucker feature rank */
	int			task_rank;		/* Tucker task rank; 0: min(rank, T) */
	int			class_rank;		/* Tucker class rank; 0: min(rank, C) */
} HgnnConfig;

/*
 * Offsets of every parameter inside one flat buffer; all matrices are
 * row-major.  a = hidden + task_embedding + class_embedding when augment,
 * else a = hidden.  A regression model has no V1, V2 or class embedding,
 * so a = hidden + task_embedding when augment, and C = 1.  Wg is empty
 * for classifiers and without augment.
 */
typedef struct HgnnLayout
{
	size_t		W;				/* d x h; STL: T blocks of d x h */
	size_t		b;				/* h; STL: T x h */
	size_t		Wg;				/* h x g: regression row attention */
	size_t		U1;				/* h x g */
	size_t		U2;				/* g x ft */
	size_t		V1;				/* h x g */
	size_t		V2;				/* g x fc */
	size_t		O;				/* T blocks of a x C; task t at O + t*a*C;
								 * the factors of a factorised base model
								 * instead (base_model.h) */
	size_t		c;				/* T x C */
	size_t		total;
	int			augmented_width;	/* a */
} HgnnLayout;

/*
 * Training rows.  The caller sorts them into a canonical order first, so
 * that the trained model depends on the set of rows and not on their order.
 */
typedef struct HgnnData
{
	int			n_rows;
	int			n_features;
	const float *features;		/* n_rows x n_features, raw (unstandardized) */
	const int  *task;			/* n_rows, each in [0, n_tasks) */
	const int  *label;			/* n_rows, each in [0, n_classes); NULL for
								 * regression */
	const double *target;		/* n_rows regression targets, raw; NULL for
								 * classifiers */
} HgnnData;

/* The user's task or label values, by index; sorted ascending. */
typedef enum HgnnKeyKind
{
	HGNN_KEY_INT = 1,			/* any integer type, as int64 */
	HGNN_KEY_BOOL = 2,			/* false = 0, true = 1 */
	HGNN_KEY_TEXT = 3,			/* text types, NUL-terminated UTF-8 or
								 * server encoding bytes */
	HGNN_KEY_REAL = 4			/* real, double precision or numeric
								 * regression targets; no values kept */
} HgnnKeyKind;

typedef struct HgnnKeys
{
	HgnnKeyKind kind;
	int			count;
	int64_t    *ints;			/* count values for INT and BOOL, else NULL */
	char	  **texts;			/* count strings for TEXT, else NULL */
} HgnnKeys;

/* A trained model, as decoded from bytea or returned by training. */
typedef struct HgnnModel
{
	HgnnConfig	cfg;			/* sigma holds the width actually used */
	HgnnLayout	layout;
	hgnn_real  *params;			/* layout.total */
	hgnn_real  *task_emb;		/* E2: T x ft, zeros when !augment */
	hgnn_real  *class_emb;		/* C2: T*C x fc, row t*C+k; zeros where
								 * absent or !augment */
	uint8_t    *present;		/* T x C: 1 if the pair had training rows */
	hgnn_real  *log_prior;		/* T x C: log(rows of (t,k) / rows of t); 0
								 * where absent */
	hgnn_real  *feature_mean;	/* d */
	hgnn_real  *feature_scale;	/* d; x_std = (x - mean) / scale */
	double	   *target_mean;	/* T, regression only: training target mean */
	double	   *target_scale;	/* T, regression only: target = mean + scale
								 * * output; the sd of the targets, or 1 */

	double		final_loss;		/* mean step loss of the last epoch */
	int64_t		rows_used;
	int64_t		rows_skipped;	/* rows with NULLs skipped on request */
	double		train_seconds;

	/*
	 * Format version 2.  Both are NULL in models decoded from version 1 and
	 * when training did not fill them.
	 */
	hgnn_real  *task_relation;	/* T x T: attention S of the last inter-task
								 * layer, row t over all tasks, averaged like
								 * E2; NULL when !augment */
	double	   *epoch_loss;		/* cfg.epochs: mean step loss of each epoch */

	HgnnKeys	labels;
	HgnnKeys	tasks;
	char	   *info_json;		/* effective options as a JSON object, set
								 * by the SQL layer; may be NULL */

	/* prediction cache, built by hgnn_model_prepare(); not encoded */
	hgnn_real  *pred_task_logit;	/* T x C: E2_t . O_t[h:h+ft] + c_t */
	hgnn_real  *pred_class_logit;	/* T x C x C: C2_(t,k) . O_t[h+ft:] */
	hgnn_real  *pred_O;			/* T x a x C: the effective O_t of every
								 * task, composed from the factors */
} HgnnModel;

/* Callback run after every training step; the SQL layer checks for
 * interrupts here and may raise, which unwinds through the math. */
typedef void (*HgnnProgressFn) (void *arg, int epoch, int step,
								double loss);

/*
 * Fills cfg with the default configuration of a model of kind, its
 * dimensions left at 0.  hidden, weight_decay, learning_rate and
 * lr_schedule differ by kind, because test/bench/tune.sh chose each kind's
 * values by validation inside the training rows (docs/defaults.md).
 */
extern void hgnn_config_defaults(HgnnConfig *cfg, HgnnKind kind);
extern void hgnn_layout_init(const HgnnConfig *cfg, HgnnLayout *layout);

/*
 * The lambda that training applies to n_rows training rows: weight_decay,
 * or with HGNN_DECAY_ROWS weight_decay * n_tasks / n_rows.
 */
extern double hgnn_effective_weight_decay(const HgnnConfig *cfg, int64_t n_rows);

/* Returns the option name of scale ("none", "rows"), or NULL. */
extern const char *hgnn_decay_scale_name(int scale);

/*
 * Trains a classifier on data.  cfg's dimensions must match data; the keys
 * and info_json of the result are left empty for the caller to fill.
 * Returns 0, or -1 with a message in errbuf for an input the math cannot
 * train on (for example a task whose rows all have one class is allowed,
 * but fewer than two classes overall is not).
 */
extern int	hgnn_train_classifier(const HgnnConfig *cfg, const HgnnData *data,
								  HgnnProgressFn progress, void *progress_arg,
								  HgnnModel *model, char *errbuf,
								  size_t errlen);

/*
 * Trains a regression model on data, which has target set and label NULL.
 * cfg->kind must be HGNN_KIND_REGRESSION and cfg->n_classes 1.  The
 * targets are standardized per task for training, and target_mean and
 * target_scale of the result undo that.  Otherwise as
 * hgnn_train_classifier.
 */
extern int	hgnn_train_regressor(const HgnnConfig *cfg, const HgnnData *data,
								 HgnnProgressFn progress, void *progress_arg,
								 HgnnModel *model, char *errbuf,
								 size_t errlen);

/* Fills the prediction cache; run once after training or decoding. */
extern void hgnn_model_prepare(HgnnModel *model);

/*
 * Scores one row: x has n_features raw values.  Writes n_classes
 * probabilities (0 for classes absent from the task) and returns the index
 * of the predicted class.  Needs hgnn_model_prepare() first; allocates
 * nothing.  work must hold hgnn_predict_work_size(model) values.
 */
/*
 * Standardizes the n_features raw values of x into z with the training
 * mean and scale.  Returns -1 when a value is not finite before or after.
 */
extern int	hgnn_standardize_row(const HgnnModel *model, const float *x,
								 hgnn_real *z);

/* W: d x h and b: h of task t's hidden layer, shared unless STL. */
extern void hgnn_hidden_weights(const HgnnModel *model, int task,
								const hgnn_real **W, const hgnn_real **b);

extern size_t hgnn_predict_work_size(const HgnnModel *model);
extern int	hgnn_predict_row(const HgnnModel *model, const float *x, int task,
							 hgnn_real *work, double *proba);

/*
 * Returns the prediction of a regression model for one row, in the units
 * of the training targets, or NaN when the task is out of range or a
 * feature is not finite.  Needs and allocates as hgnn_predict_row.
 */
extern double hgnn_predict_value(const HgnnModel *model, const float *x,
								 int task, hgnn_real *work);

/* Frees every buffer of the model, including its keys. */
extern void hgnn_model_free(HgnnModel *model);

/* 64-bit FNV-1a hash of the learned values (parameters, embeddings,
 * presence, priors, standardization), for comparing two trainings. */
extern uint64_t hgnn_model_weights_hash(const HgnnModel *model);

#endif							/* HGNN_MODEL_H */
