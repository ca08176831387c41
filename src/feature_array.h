/*
 * feature_array.h
 *		Feature arrays: accepted types and conversion to float32.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_FEATURE_ARRAY_H
#define HGNN_FEATURE_ARRAY_H

#include "postgres.h"

#include "utils/array.h"

/*
 * Returns the element type of a real[] or double precision[] argument type,
 * with domains resolved.  Any other type raises an error naming it.
 */
extern Oid	hgnn_feature_elem_type(Oid argtype);

/*
 * Returns the number of features in arr.  A multi-dimensional or empty
 * array, or one longer than HGNN_MAX_FEATURES, raises an error.
 */
extern int	hgnn_feature_count(ArrayType *arr);

/*
 * Converts the hgnn_feature_count(arr) elements of arr to float32 into out.
 * NULL elements, NaN, infinity and values beyond the range of real raise an
 * error.  Allocates nothing.
 */
extern void hgnn_read_features(ArrayType *arr, Oid elemtype, float *out);

#endif							/* HGNN_FEATURE_ARRAY_H */
