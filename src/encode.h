/*
 * encode.h
 *		Byte encoding of a trained model, as stored in bytea.
 *
 * Layout: the 4-byte magic "HGNN", a little-endian uint32 format version,
 * a uint64 FNV-1a checksum of every byte after the header, a uint64 body
 * length, then the body.  Plain C, no PostgreSQL API.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_ENCODE_H
#define HGNN_ENCODE_H

#include "model.h"

#define HGNN_FORMAT_VERSION 6

/* magic, version, checksum and body length */
#define HGNN_HEADER_SIZE 24

typedef enum HgnnDecodeStatus
{
	HGNN_DECODE_OK = 0,
	HGNN_DECODE_TRUNCATED,		/* shorter than its header or stated length */
	HGNN_DECODE_BAD_MAGIC,		/* not an hgnn model at all */
	HGNN_DECODE_NEWER_VERSION,	/* written by a later hgnn */
	HGNN_DECODE_BAD_CHECKSUM,	/* altered or damaged bytes */
	HGNN_DECODE_CORRUPT			/* checksum matches but a field is invalid */
} HgnnDecodeStatus;

/* 64-bit FNV-1a of len bytes, as stored in the header for the body. */
extern uint64_t hgnn_checksum(const uint8_t *buf, size_t len);

extern size_t hgnn_encoded_size(const HgnnModel *model);

/* Writes exactly hgnn_encoded_size(model) bytes to buf. */
extern void hgnn_encode(const HgnnModel *model, uint8_t *buf);

/*
 * Decodes buf into model, allocating through hgnn_alloc.  Every length and
 * dimension is checked against the bytes that remain before it is used.
 * On failure returns the status, writes a message naming the bad field and
 * its value into errbuf, and leaves nothing allocated.  *version_out, when
 * not NULL, receives the format version read from the header.
 */
extern HgnnDecodeStatus hgnn_decode(const uint8_t *buf, size_t len,
									HgnnModel *model, uint32_t *version_out,
									char *errbuf, size_t errlen);

#endif							/* HGNN_ENCODE_H */
