/*
 * base_model.h
 *		Output layers of the base models: the effective output tensor
 *		O (T x a x C) from the factors, and the trace-norm penalty.
 *
 * The factors live in the O block of the parameters, in the order given
 * below; the rest of the network reads only the composed O.  Every
 * backward function adds into its outputs, as in layers.h.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_BASE_MODEL_H
#define HGNN_BASE_MODEL_H

#include "model.h"

/* Name of a base model, or NULL when out of range. */
extern const char *hgnn_base_model_name(int base_model);

/* Effective ranks: task_rank and class_rank 0 resolve to min(rank, T/C). */
extern int	hgnn_base_task_rank(const HgnnConfig *cfg);
extern int	hgnn_base_class_rank(const HgnnConfig *cfg);

/* 1 when the O block holds factors rather than O itself. */
extern int	hgnn_base_factored(const HgnnConfig *cfg);

/* Values of the O block for augmented width a. */
extern size_t hgnn_base_param_count(const HgnnConfig *cfg, int a);

/* Scratch values that compose and compose_backward need. */
extern size_t hgnn_base_work_size(const HgnnConfig *cfg, int a);

/*
 * O: T x a x C from the factors f (hgnn_base_param_count values).  Only
 * for a factored base model.
 */
extern void hgnn_base_compose(const HgnnConfig *cfg, int a,
							  const hgnn_real *f, hgnn_real *O,
							  hgnn_real *work);
extern void hgnn_base_compose_backward(const HgnnConfig *cfg, int a,
									   const hgnn_real *f,
									   const hgnn_real *dO, hgnn_real *df,
									   hgnn_real *work);

/* LAF: L: a x r, S: T x r x C, O_t = L S_t. */
extern void hgnn_laf_forward(int T, int a, int C, int r, const hgnn_real *L,
							 const hgnn_real *S, hgnn_real *O);
extern void hgnn_laf_backward(int T, int a, int C, int r, const hgnn_real *L,
							  const hgnn_real *S, const hgnn_real *dO,
							  hgnn_real *dL, hgnn_real *dS);

/*
 * Tucker: G: r1 x r2 x r3, A1: T x r1, A2: a x r2, A3: C x r3,
 * O[t,i,k] = sum G[p,q,s] A1[t,p] A2[i,q] A3[k,s].  X: T x r2 x r3 and
 * Y: T x a x r3 are the intermediate products, saved by the forward pass
 * for the backward pass.
 */
extern void hgnn_tucker_forward(int T, int a, int C, int r1, int r2, int r3,
								const hgnn_real *G, const hgnn_real *A1,
								const hgnn_real *A2, const hgnn_real *A3,
								hgnn_real *X, hgnn_real *Y, hgnn_real *O);
extern void hgnn_tucker_backward(int T, int a, int C, int r1, int r2, int r3,
								 const hgnn_real *G, const hgnn_real *A1,
								 const hgnn_real *A2, const hgnn_real *A3,
								 const hgnn_real *X, const hgnn_real *Y,
								 const hgnn_real *dO, hgnn_real *dG,
								 hgnn_real *dA1, hgnn_real *dA2,
								 hgnn_real *dA3, hgnn_real *dX,
								 hgnn_real *dY);

/*
 * Tensor train of two cores: G1: T x r, G2: r x a x C, so that every O_t
 * is a mix of r output layers shared by all tasks, O = G1 G2 as
 * T x (a C) matrices.
 */
extern void hgnn_tt_forward(int T, int a, int C, int r, const hgnn_real *G1,
							const hgnn_real *G2, hgnn_real *O);
extern void hgnn_tt_backward(int T, int a, int C, int r, const hgnn_real *G1,
							 const hgnn_real *G2, const hgnn_real *dO,
							 hgnn_real *dG1, hgnn_real *dG2);

/*
 * Trace norm of O: T x a x C, the mean over its three mode unfoldings of
 * their nuclear norms.  The backward pass adds weight times the
 * subgradient, the mean of U V^T of each unfolding folded back.  Both
 * return or add NaN values when the SVD fails.
 */
extern double hgnn_trace_norm_forward(int T, int a, int C,
									  const hgnn_real *O);
extern void hgnn_trace_norm_backward(int T, int a, int C, const hgnn_real *O,
									 double weight, hgnn_real *dO);

#endif							/* HGNN_BASE_MODEL_H */
