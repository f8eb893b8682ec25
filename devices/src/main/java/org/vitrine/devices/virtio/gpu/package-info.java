/**
 * The virtio GPU (2D, one scanout), split by concern: {@link
 * org.vitrine.devices.virtio.gpu.VirtioGpu} (the device: configuration, queues, command parsing
 * and responses), {@link org.vitrine.devices.virtio.gpu.GpuResources} (the resource table and its
 * guest-memory backing), {@link org.vitrine.devices.virtio.gpu.PixelFormat} (the formats and their
 * conversion to RGBA) and {@link org.vitrine.devices.virtio.gpu.Scanout} (what is shown: the
 * scanout rectangle and the cursor, published as frames; the frame exchange holds the current
 * picture, nothing else does).
 */
package org.vitrine.devices.virtio.gpu;
