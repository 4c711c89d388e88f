// The `koa2` alias installs Koa 2 under another name; its API is the one @types/koa describes.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
