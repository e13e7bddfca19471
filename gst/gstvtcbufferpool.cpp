// SPDX-License-Identifier: GPL-2.0-or-later
#include "gstvtcbufferpool.h"

#include "gstvtcformats.h"

#include "vtcompress/keys.h"

GST_DEBUG_CATEGORY_STATIC(gst_vtc_buffer_pool_debug);
#define GST_CAT_DEFAULT gst_vtc_buffer_pool_debug

struct _GstVtcBufferPool {
  GstBufferPool parent;
  // Owned: the session pool (shared with the session, which may go first).
  std::shared_ptr<vtc::PixelBufferPool>* pool;
  GstVideoInfo info;  // with the session's strides and plane offsets
  GWeakRef owner;     // the element to post allocation errors on (may be gone)
};

G_DEFINE_TYPE_WITH_CODE(GstVtcBufferPool, gst_vtc_buffer_pool, GST_TYPE_BUFFER_POOL,
                        GST_DEBUG_CATEGORY_INIT(gst_vtc_buffer_pool_debug, "vtcbufferpool", 0,
                                                "vtcompress buffer pool"))

namespace {

GQuark PixelBufferQuark() {
  static GQuark q = g_quark_from_static_string("GstVtcPixelBuffer");
  return q;
}

void DeletePixelBufferRef(gpointer p) {
  delete static_cast<vtc::PixelBufferRef*>(p);
}

}  // namespace

static const gchar** gst_vtc_buffer_pool_get_options(GstBufferPool*) {
  static const gchar* options[] = {GST_BUFFER_POOL_OPTION_VIDEO_META, nullptr};
  return options;
}

static gboolean gst_vtc_buffer_pool_set_config(GstBufferPool* bpool, GstStructure* config) {
  auto* self = GST_VTC_BUFFER_POOL(bpool);
  GstCaps* caps = nullptr;
  guint size = 0, min = 0, max = 0;
  if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min, &max) || !caps) {
    GST_WARNING_OBJECT(self, "pool configuration without caps");
    return FALSE;
  }
  GstVideoInfo info;
  if (!gst_video_info_from_caps(&info, caps)) return FALSE;
  const auto& pool = **self->pool;
  if (GST_VIDEO_INFO_WIDTH(&info) != pool.width() ||
      GST_VIDEO_INFO_HEIGHT(&info) != pool.height() ||
      GST_VIDEO_INFO_FORMAT(&info) != gstvtc::GstFormatFor(pool.pixel_format())) {
    GST_WARNING_OBJECT(self, "caps %" GST_PTR_FORMAT " do not match the session's pool", caps);
    return FALSE;
  }
  // Describe the session's real layout: strides and plane offsets of one of its buffers.
  vtc::PixelBufferRef probe;
  if ((*self->pool)->CreatePixelBuffer(&probe) != vtc::Status::kNoErr) return FALSE;
  for (std::size_t i = 0; i < probe->plane_count(); ++i) {
    GST_VIDEO_INFO_PLANE_STRIDE(&info, i) = gint(probe->bytes_per_row_of_plane(i));
    GST_VIDEO_INFO_PLANE_OFFSET(&info, i) =
        gsize(probe->base_address_of_plane(i) - probe->base_address());
  }
  GST_VIDEO_INFO_SIZE(&info) = probe->data_size();
  self->info = info;
  gst_buffer_pool_config_set_params(config, caps, guint(probe->data_size()), min, max);
  return GST_BUFFER_POOL_CLASS(gst_vtc_buffer_pool_parent_class)->set_config(bpool, config);
}

static GstFlowReturn gst_vtc_buffer_pool_alloc_buffer(GstBufferPool* bpool, GstBuffer** out,
                                                      GstBufferPoolAcquireParams*) {
  auto* self = GST_VTC_BUFFER_POOL(bpool);
  vtc::PixelBufferRef pb;
  vtc::Status st = (*self->pool)->CreatePixelBuffer(&pb);
  if (st != vtc::Status::kNoErr) {
    GST_WARNING_OBJECT(self, "session pool: %s", vtc::StatusName(st));
    // Upstream only sees GST_FLOW_ERROR and posts a generic "internal data stream error": say
    // here what ran out.
    if (GstElement* owner = GST_ELEMENT(g_weak_ref_get(&self->owner))) {
      GST_ELEMENT_ERROR(
          owner, RESOURCE, NO_SPACE_LEFT,
          ("Could not allocate a %dx%d picture in the encoder's buffer pool. Free "
           "some memory, or lower pool-max-buffers if upstream holds many buffers.",
           GST_VIDEO_INFO_WIDTH(&self->info), GST_VIDEO_INFO_HEIGHT(&self->info)),
          ("CVPixelBufferPoolCreatePixelBuffer: %s (%d)", vtc::StatusName(st), int(st)));
      gst_object_unref(owner);
    }
    return GST_FLOW_ERROR;
  }
  auto* holder = new vtc::PixelBufferRef(pb);
  GstMemory* mem = gst_memory_new_wrapped(GstMemoryFlags(0), pb->base_address(), pb->data_size(), 0,
                                          pb->data_size(), holder, DeletePixelBufferRef);
  gst_mini_object_set_qdata(GST_MINI_OBJECT(mem), PixelBufferQuark(), pb.get(), nullptr);
  GstBuffer* buf = gst_buffer_new();
  gst_buffer_append_memory(buf, mem);
  gst_buffer_add_video_meta_full(
      buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(&self->info),
      GST_VIDEO_INFO_WIDTH(&self->info), GST_VIDEO_INFO_HEIGHT(&self->info),
      GST_VIDEO_INFO_N_PLANES(&self->info), self->info.offset, self->info.stride);
  *out = buf;
  return GST_FLOW_OK;
}

static void gst_vtc_buffer_pool_finalize(GObject* obj) {
  auto* self = GST_VTC_BUFFER_POOL(obj);
  delete self->pool;
  g_weak_ref_clear(&self->owner);
  G_OBJECT_CLASS(gst_vtc_buffer_pool_parent_class)->finalize(obj);
}

static void gst_vtc_buffer_pool_class_init(GstVtcBufferPoolClass* klass) {
  G_OBJECT_CLASS(klass)->finalize = gst_vtc_buffer_pool_finalize;
  auto* pool_class = GST_BUFFER_POOL_CLASS(klass);
  pool_class->get_options = gst_vtc_buffer_pool_get_options;
  pool_class->set_config = gst_vtc_buffer_pool_set_config;
  pool_class->alloc_buffer = gst_vtc_buffer_pool_alloc_buffer;
}

static void gst_vtc_buffer_pool_init(GstVtcBufferPool* self) {
  self->pool = new std::shared_ptr<vtc::PixelBufferPool>();
  gst_video_info_init(&self->info);
  g_weak_ref_init(&self->owner, nullptr);
}

GstBufferPool* gst_vtc_buffer_pool_new(std::shared_ptr<vtc::PixelBufferPool> pool,
                                       GstElement* owner) {
  auto* self = GST_VTC_BUFFER_POOL(g_object_new(GST_TYPE_VTC_BUFFER_POOL, nullptr));
  gst_object_ref_sink(self);
  *self->pool = std::move(pool);
  g_weak_ref_set(&self->owner, owner);
  return GST_BUFFER_POOL(self);
}

vtc::PixelBuffer* gst_vtc_buffer_get_pixel_buffer(GstBuffer* buffer) {
  if (gst_buffer_n_memory(buffer) != 1) return nullptr;
  GstMemory* mem = gst_buffer_peek_memory(buffer, 0);
  return static_cast<vtc::PixelBuffer*>(
      gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), PixelBufferQuark()));
}
