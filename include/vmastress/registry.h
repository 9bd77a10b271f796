/* registry.h: the workload shapes, one row each: the one list the registry
 * (daemon/shapes/shapes.c, whose opening comment is the recipe for adding a
 * shape) and the configuration's storage for each shape's own keys are made
 * from. A leaf: keys.h includes it. */
#pragma once

/* X(name): the shape defined as `vs_shape_NAME` in daemon/shapes/NAME.c. The
 * first one is the default shape. */
#define VS_SHAPES(X) X(guarded) X(fragment) X(churn) X(threads) X(allocator) X(files)

#define VS_SHAPE_SLOT_ENUM(name) VS_SHAPE_SLOT_##name,
/* Each shape's index in the registry: where its own keys live in a vs_config. */
enum vs_shape_slot { VS_SHAPES(VS_SHAPE_SLOT_ENUM) VS_SHAPE_SLOTS };

/* The bytes of a vs_config each shape has for its own keys (its
 * `struct vs_keys_NAME`, see shape.h's VS_SHAPE_KEYS_DECLARE). */
#define VS_SHAPE_KEYS_BYTES 320
