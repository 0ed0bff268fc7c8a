import {
  CurrentBusiness,
  type FileView,
  type GuichetBusiness,
  type StagedFile,
  type StagedFileBatch,
  StagedFiles,
  UploadedStagedFileBatch,
  UploadedStagedFiles,
} from '@guichet/nestjs';
import { Body, Controller, Post, UseInterceptors, ValidationPipe } from '@nestjs/common';
import { IsNonEmptyString, IsPrice, transformerPackage, validatorPackage } from './mini-validation.ts';

/**
 * The text fields of the product form, validated by ValidationPipe like any JSON body. Declared in
 * this file: imported from another, the import would be type-only (lint's choice) and tsc would
 * then emit no class for the parameter, leaving ValidationPipe nothing to validate against.
 */
export class CreateProductDto {
  @IsNonEmptyString()
  name!: string;

  @IsPrice()
  price!: string;
}

const validation = new ValidationPipe({ validatorPackage, transformerPackage });

/** The form of the tests: a name, a price, up to three images and one manual. */
const productForm = StagedFiles({
  fields: {
    images: { purpose: 'product-image', maxCount: 3 },
    manual: { purpose: 'product-manual', maxCount: 1 },
  },
});

export interface ProductAnswer {
  name: string;
  price: string;
  businessId: string;
  files: StagedFile[];
  committedByHandler?: FileView[];
}

@Controller('products')
export class ProductsController {
  @Post()
  @UseInterceptors(productForm)
  create(
    @Body(validation) product: CreateProductDto,
    @CurrentBusiness() business: GuichetBusiness,
    @UploadedStagedFiles() files: StagedFile[],
  ): ProductAnswer {
    return { name: product.name, price: product.price, businessId: business.id, files };
  }

  /** Each image at most 256 KiB, checked by the interceptor while the part streams. */
  @Post('small')
  @UseInterceptors(StagedFiles({ fields: { images: { purpose: 'product-image', maxBytes: 256 * 1024 } } }))
  small(@UploadedStagedFiles('images') files: StagedFile[]): { files: StagedFile[] } {
    return { files };
  }

  @Post('failing')
  @UseInterceptors(productForm)
  failing(@Body(validation) _product: CreateProductDto, @UploadedStagedFiles() files: StagedFile[]): never {
    throw new Error(`the handler failed after ${files.length} files were staged`);
  }

  /** Commits inside the handler, as it would inside its own database transaction. */
  @Post('self-commit')
  @UseInterceptors(productForm)
  async selfCommit(
    @Body(validation) product: CreateProductDto,
    @CurrentBusiness() business: GuichetBusiness,
    @UploadedStagedFileBatch() batch: StagedFileBatch,
  ): Promise<ProductAnswer> {
    const committed = await batch.commit();
    // Asking again must not commit twice.
    await batch.commit();
    return {
      name: product.name,
      price: product.price,
      businessId: business.id,
      files: [...batch.files],
      committedByHandler: committed,
    };
  }
}
