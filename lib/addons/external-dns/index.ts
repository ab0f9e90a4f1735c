export * from './external-dns';
