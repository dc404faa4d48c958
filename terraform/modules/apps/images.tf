# The image names the overlay gives its containers (its kustomization.yaml `images`: the logical
# name, trawl-functions, renamed to a placeholder registry), each mapped to this account's
# registry and tag. Kustomize matches an image by the full name a container has after the overlay
# is built, so the match is on the overlay's newName, not on the logical name. Only locals here:
# validate-deploy evaluates this file with `terraform console` and renders the overlay with it.
locals {
  overlay_images = yamldecode(file("${var.overlay_path}/kustomization.yaml")).images
  images = [
    for image in local.overlay_images : {
      name     = image.newName
      new_name = "${var.image_registry}/${image.name}"
      new_tag  = var.image_tag
    }
  ]
}
