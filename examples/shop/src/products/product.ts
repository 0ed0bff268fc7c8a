/** A product of one business. Its images are Guichet files, named here by their ids only. */
export interface Product {
  id: string;
  businessId: string;
  name: string;
  priceCents: number;
  description: string;
  imageIds: string[];
  createdBy: string;
  createdAt: Date;
}

/** An image ready to show: a short-lived signed URL, of the thumbnail when it is ready. */
export interface ShownImage {
  fileId: string;
  url: string;
  variant: 'thumb' | 'original';
}
