/**
 * sockserve/http: Python's http.server for Node.js. The HTTP servers and handlers land here
 * (see the http.server issue); until then this entry point exports nothing.
 */
export {};
