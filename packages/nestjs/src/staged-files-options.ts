/** The rules of one file field of the form. */
export interface StagedFilesFieldOptions {
  /** The Guichet purpose the field's files are staged under (its rules apply at commit). */
  purpose: string;
  /** Most files in this field (default 1); one more refuses the request with 400. */
  maxCount?: number;
  /**
   * Largest file in bytes, checked while it streams (413 as soon as a part passes it). Guichet
   * enforces the purpose's own maximum too; set this to refuse earlier or to be stricter.
   */
  maxBytes?: number;
}

/** Options of {@link StagedFiles}. */
export interface StagedFilesOptions {
  /** The file fields the form may carry, by name; a file in any other field is refused with 400. */
  fields: Record<string, StagedFilesFieldOptions>;
  limits?: {
    /** Most text fields (default 100). */
    fields?: number;
    /** Largest text field value in bytes (default 64 KiB). */
    fieldSize?: number;
    /** Most parts, files and fields together (default 1000). */
    parts?: number;
  };
  /**
   * Commit the staged files once the handler succeeded, unless it committed them itself
   * (default true). With false the handler must commit them, or they are discarded.
   */
  commit?: boolean;
}
