/*
 * train.h
 *		Forward and backward pass of the whole network on one mini-batch.
 *
 * model.c implements the pass; train.c runs it in the training loop and
 * test/test_grad.c checks its gradient.  The workspace is sized for one
 * batch shape and reused by every step.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_TRAIN_H
#define HGNN_TRAIN_H

#include "base_model.h"
#include "layers.h"
#include "model.h"
#include "sampler.h"

/* Activations and gradient scratch of one batch shape. */
typedef struct HgnnWork
{
	int			n_rows;			/* N of the batch shape */
	int			n_pairs;

	/* forward: shared layer and intra-task graphs */
	hgnn_real  *Z;				/* N x h: X W + b */
	hgnn_real  *H0;				/* N x h */
	hgnn_real  *H1;				/* N x h */
	hgnn_real  *H2;				/* N x h */
	size_t	   *adj_offset;		/* T: start of task t's m_t x m_t block */
	hgnn_real  *A1;				/* adjacency of layer 1, all blocks */
	hgnn_real  *A2;				/* adjacency of layer 2, all blocks */

	/*
	 * Regression: the row-attention layers of all task blocks.  P and Q
	 * are N x g and norm N, with task t at row task_start[t]; S holds the
	 * m_t x m_t blocks at adj_offset[t]; Y is NULL, since H1 and H2 are the
	 * outputs.  A1 and A2 stay NULL.
	 */
	HgnnAttention rows1;
	HgnnAttention rows2;

	/* forward: task and class embeddings */
	hgnn_real  *task_pool;		/* T x h: e_t */
	int		   *task_arg;		/* T x h */
	HgnnAttention task1;		/* T nodes, width g */
	HgnnAttention task2;		/* T nodes, width ft: Y is E2 */
	hgnn_real  *class_pool;		/* n_pairs x h: m_tk */
	int		   *class_arg;		/* n_pairs x h */
	HgnnAttention class1;		/* n_pairs nodes, width g */
	HgnnAttention class2;		/* n_pairs nodes, width fc: Y is C2 */

	/* forward: output layer; for regression the logits are the outputs */
	hgnn_real  *aug;			/* N x a, NULL when !augment */
	hgnn_real  *logits;			/* N x C */
	hgnn_real  *probs;			/* N x C, unused for regression */

	/* backward */
	hgnn_real  *dlogits;		/* N x C */
	hgnn_real  *daug;			/* N x a */
	hgnn_real  *dZ;				/* N x h */
	hgnn_real  *dH_a;			/* N x h: dH2, later dH0 */
	hgnn_real  *dH_b;			/* N x h: dH1 */
	hgnn_real  *dtask_pool;		/* T x h */
	hgnn_real  *dE1;			/* T x g */
	hgnn_real  *dE2;			/* T x ft */
	hgnn_real  *dclass_pool;	/* n_pairs x h */
	hgnn_real  *dC1;			/* n_pairs x g */
	hgnn_real  *dC2;			/* n_pairs x fc */
	/* factored base models: the composed output tensor */
	hgnn_real  *O_eff;			/* T x a x C, NULL for unfactored models */
	hgnn_real  *dO_eff;			/* T x a x C */
	hgnn_real  *base_scratch;	/* hgnn_base_work_size values */
	hgnn_real  *scratch;		/* largest layer work buffer */
	size_t		scratch_size;
} HgnnWork;

extern void hgnn_work_init(HgnnWork *work, const HgnnConfig *cfg,
						   const HgnnLayout *layout, const HgnnBatch *batch);
extern void hgnn_work_free(HgnnWork *work);

/* Fills every weight block with truncated normal values of sd 0.1 and the
 * biases with 0, drawing the blocks in layout order. */
extern void hgnn_params_init(const HgnnConfig *cfg, const HgnnLayout *layout,
							 hgnn_real *params, HgnnRng *rng);

/* Computes work->Z and work->H0 of batch. */
extern void hgnn_network_hidden(const HgnnConfig *cfg,
								const HgnnLayout *layout,
								const hgnn_real *params,
								const HgnnBatch *batch, HgnnWork *work);

/*
 * Runs the forward pass on batch and returns the loss: the sum over tasks
 * of the mean cross-entropy of the task's rows, or for regression the mean
 * squared error against batch->target, plus weight_decay times
 * (||W||^2 + ||O block||^2), the O block holding the factors of a
 * factored base model, plus for TNRMTL trace_norm times the trace norm of
 * O.  For a classifier cfg->sigma must be > 0.
 * When grad is not NULL, overwrites it with the gradient of the loss
 * (layout.total values).  Leaves E2 in work->task2.Y and, for a
 * classifier, C2, one row per batch pair, in work->class2.Y.
 */
extern double hgnn_network_loss(const HgnnConfig *cfg,
								const HgnnLayout *layout,
								const hgnn_real *params,
								const HgnnBatch *batch, HgnnWork *work,
								hgnn_real *grad);

#endif							/* HGNN_TRAIN_H */
