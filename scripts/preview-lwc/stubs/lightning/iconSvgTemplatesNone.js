/**
 * Stands in for the base components' icon libraries the preview does not use (right-to-left ones, and the
 * action, doctype and custom categories): about 20 MB of source the build would otherwise compile.
 */
export default {};
