/*
 * layers.h
 *		Forward and backward passes of the layers of the HGNN models.
 *
 * Every matrix is row-major and contiguous.  Every backward function adds
 * its gradients into the output buffers, so the caller zeroes them once and
 * a tensor used by several layers collects the sum of their contributions.
 * A NULL gradient buffer skips that gradient.  Matrix products go through
 * hgnn_gemm.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_LAYERS_H
#define HGNN_LAYERS_H

#include "linalg.h"

#include <math.h>

/*
 * Activations of the hidden rows.  The values are stored in the model
 * encoding, so they never change; relu exists from format version 5 on.
 */
typedef enum HgnnActivation
{
	HGNN_ACT_TANH = 1,
	HGNN_ACT_RELU = 2
} HgnnActivation;

#define HGNN_ACT_LAST HGNN_ACT_RELU

/*
 * Saved activations of one cosine-attention layer over n nodes whose
 * projection P has width out.  Each pointer addresses the count of values
 * stated.
 */
typedef struct HgnnAttention
{
	hgnn_real  *P;				/* n x out: E U, or H Wg for row attention */
	hgnn_real  *Q;				/* n x out: rows of P scaled to unit length */
	hgnn_real  *norm;			/* n: smoothed length of each row of P */
	hgnn_real  *S;				/* n x n: row-softmax of Q Q^T */
	hgnn_real  *Y;				/* n x out: tanh(S P); for row attention
								 * n x h: f(Z + S H) */
} HgnnAttention;

/*
 * Hyperbolic tangent of the scalar type.  The float version computes
 * (1 - e) / (1 + e) with e = expf(-2|x|), because glibc's tanhf took a
 * third of a training step.  Its absolute error is at most 1e-7 (checked
 * by test_train), so near 0 the relative error is larger than tanhf's.
 * The double build, used by the gradient tests, calls tanh.
 */
static inline hgnn_real
hgnn_tanh(hgnn_real x)
{
#ifdef HGNN_DOUBLE
	return tanh(x);
#else
	float		e = expf(-2.0f * fabsf(x));
	float		t = (1.0f - e) / (1.0f + e);

	return x < 0.0f ? -t : t;
#endif
}

/* Dense layer Y = X W + b. */
extern void hgnn_dense_forward(int n, int in, int out, const hgnn_real *X,
							   const hgnn_real *W, const hgnn_real *b,
							   hgnn_real *Y);
extern void hgnn_dense_backward(int n, int in, int out, const hgnn_real *X,
								const hgnn_real *W, const hgnn_real *dY,
								hgnn_real *dX, hgnn_real *dW, hgnn_real *db);

/*
 * Applies the activation f of the hidden rows H0, H1 and H2.  The attention
 * layers of the task and class embeddings always use tanh.
 */
static inline hgnn_real
hgnn_activate(HgnnActivation act, hgnn_real x)
{
	/*
	 * x <= 0 is false for NaN, so relu passes NaN on as tanh does, and an
	 * overflow in z W + b fails the finiteness checks instead of reading
	 * as an inactive unit.
	 */
	if (act == HGNN_ACT_RELU)
		return x <= 0 ? 0 : x;
	return hgnn_tanh(x);
}

/* Returns f'(x) from y = f(x), because the backward passes keep only y. */
static inline hgnn_real
hgnn_activation_slope(HgnnActivation act, hgnn_real y)
{
#if HGNN_PLANT_BUG == 18
	act = HGNN_ACT_TANH;		/* planted: tanh's slope for every activation */
#endif
	if (act == HGNN_ACT_RELU)
		return y > 0 ? 1 : 0;
	return 1 - y * y;
}

/* The option value of an activation; NULL outside 1 to HGNN_ACT_LAST. */
extern const char *hgnn_activation_name(int activation);

/* Elementwise y = f(x) over count values, and its backward. */
extern void hgnn_activation_forward(HgnnActivation act, size_t count,
									const hgnn_real *x, hgnn_real *y);
extern void hgnn_activation_backward(HgnnActivation act, size_t count,
									 const hgnn_real *y, const hgnn_real *dy,
									 hgnn_real *dx);

/* Label-signed kernel graph layer of one task block, Y = f(Z + A H). */
extern void hgnn_kernel_graph_forward(HgnnActivation act, int m, int h,
									  const hgnn_real *Z, const hgnn_real *H,
									  const int *label, double sigma,
									  hgnn_real *A, hgnn_real *Y,
									  hgnn_real *work);
extern void hgnn_kernel_graph_backward(HgnnActivation act, int m, int h,
									   const hgnn_real *H, const hgnn_real *A,
									   const hgnn_real *Y,
									   const hgnn_real *dY, double sigma,
									   hgnn_real *dZ, hgnn_real *dH,
									   hgnn_real *work);
extern size_t hgnn_kernel_graph_work_size(int m, int h);

/* Column-wise max over m rows. */
extern void hgnn_maxpool_forward(int m, int h, const hgnn_real *X,
								 hgnn_real *y, int *arg);
extern void hgnn_maxpool_backward(int h, const int *arg, const hgnn_real *dy,
								  hgnn_real *dX);

/* Cosine-attention graph layer over n nodes, Y = tanh(S P). */
extern void hgnn_attention_forward(int n, int in, int out, const hgnn_real *E,
								   const hgnn_real *U, HgnnAttention *cache);
extern void hgnn_attention_backward(int n, int in, int out,
									const hgnn_real *E, const hgnn_real *U,
									const HgnnAttention *cache,
									const hgnn_real *dY, hgnn_real *dE,
									hgnn_real *dU, hgnn_real *work);
extern size_t hgnn_attention_work_size(int n, int out);

/* Cosine-attention graph layer of one task block, Y = f(Z + S H). */
extern void hgnn_row_attention_forward(HgnnActivation act, int m, int h,
									   int g, const hgnn_real *Z,
									   const hgnn_real *H,
									   const hgnn_real *Wg,
									   HgnnAttention *cache);
extern void hgnn_row_attention_backward(HgnnActivation act, int m, int h,
										int g, const hgnn_real *H,
										const hgnn_real *Wg,
										const HgnnAttention *cache,
										const hgnn_real *dY, hgnn_real *dZ,
										hgnn_real *dH, hgnn_real *dWg,
										hgnn_real *work);
extern size_t hgnn_row_attention_work_size(int m, int h, int g);

/* Softmax cross-entropy over the classes that mask marks present. */
extern double hgnn_softmax_ce_forward(int m, int n_classes,
									  const hgnn_real *logits,
									  const uint8_t *mask, const int *label,
									  double weight, hgnn_real *probs);
extern void hgnn_softmax_ce_backward(int m, int n_classes,
									 const hgnn_real *probs,
									 const uint8_t *mask, const int *label,
									 double weight, hgnn_real *dlogits);

/* Squared error of m predictions against their targets. */
extern double hgnn_squared_error_forward(int m, const hgnn_real *pred,
										 const hgnn_real *target,
										 double weight);
extern void hgnn_squared_error_backward(int m, const hgnn_real *pred,
										const hgnn_real *target,
										double weight, hgnn_real *dpred);

#endif							/* HGNN_LAYERS_H */
