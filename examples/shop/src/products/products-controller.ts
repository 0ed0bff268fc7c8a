import {
  CurrentBusiness,
  CurrentUser,
  type GuichetAuthentication,
  type GuichetBusiness,
  Scopes,
  type StagedFileBatch,
  StagedFiles,
  UploadedStagedFileBatch,
} from '@guichet/nestjs';
import {
  Body,
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Param,
  Post,
  Redirect,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { ShopHeaderService } from '../business/shop-header-service.ts';
import { renderProductForm } from '../pages/product-form-page.ts';
import { renderProductPage } from '../pages/product-page.ts';
import { renderProductsPage } from '../pages/products-page.ts';
import { productImagePurpose } from '../shop-tokens.ts';
import { CreateProductDto } from './create-product.dto.ts';
import { ProductFormFilter } from './product-form.filter.ts';
import { ProductImages } from './product-images.ts';
import { ProductsRepository } from './products-repository.ts';

const html = 'text/html; charset=utf-8';

/** The catalogue of the session's active business: it never comes from the URL or the form. */
@Controller('products')
export class ProductsController {
  constructor(
    @Inject(ProductsRepository) private readonly products: ProductsRepository,
    @Inject(ProductImages) private readonly images: ProductImages,
    @Inject(ShopHeaderService) private readonly headers: ShopHeaderService,
  ) {}

  @Get()
  @Scopes('products:read')
  @Header('content-type', html)
  @Header('cache-control', 'no-store')
  async list(
    @CurrentUser() user: GuichetAuthentication,
    @CurrentBusiness() business: GuichetBusiness,
  ): Promise<string> {
    const [header, products] = await Promise.all([
      this.headers.headerFor(user),
      this.products.listOf(business.id),
    ]);
    const cards = await Promise.all(
      products.map(async (product) => ({
        product,
        cover: (await this.images.show(user.token, business.id, product.imageIds.slice(0, 1)))[0],
      })),
    );
    return renderProductsPage(header, cards);
  }

  @Get('new')
  @Scopes('products:write')
  @Header('content-type', html)
  @Header('cache-control', 'no-store')
  async newProduct(
    @CurrentUser() user: GuichetAuthentication,
    @CurrentBusiness() _business: GuichetBusiness,
  ): Promise<string> {
    return renderProductForm(await this.headers.headerFor(user));
  }

  @Get(':id')
  @Scopes('products:read')
  @Header('content-type', html)
  @Header('cache-control', 'no-store')
  async show(
    @Param('id') id: string,
    @CurrentUser() user: GuichetAuthentication,
    @CurrentBusiness() business: GuichetBusiness,
  ): Promise<string> {
    const product = await this.products.find(business.id, id);
    if (product === undefined) throw new NotFoundException('no such product in this business');
    const [header, images] = await Promise.all([
      this.headers.headerFor(user),
      this.images.show(user.token, business.id, product.imageIds),
    ]);
    return renderProductPage(header, product, images);
  }

  /**
   * The form streams in: StagedFiles stages each image at Guichet as it arrives and puts the text
   * fields in the body; ValidationPipe checks them against the DTO. The product row and the files'
   * commit share one transaction. If anything throws (the DTO, a file Guichet refuses, the insert),
   * the interceptor discards every staged image and the filter shows the form again.
   */
  @Post()
  @Scopes('products:write')
  @UseInterceptors(
    StagedFiles({
      fields: { images: { purpose: productImagePurpose, maxCount: 5, maxBytes: 5 * 1024 * 1024 } },
      limits: { fields: 10, fieldSize: 16 * 1024 },
      commit: false,
    }),
  )
  @UseFilters(ProductFormFilter)
  @Redirect('/products', 303)
  async create(
    @Body() form: CreateProductDto,
    @UploadedStagedFileBatch() batch: StagedFileBatch,
    @CurrentUser() user: GuichetAuthentication,
    @CurrentBusiness() business: GuichetBusiness,
  ): Promise<{ url: string; statusCode: number }> {
    const images = batch.files.filter((file) => file.field === 'images');
    const id = await this.products.create(
      {
        businessId: business.id,
        name: form.name,
        priceCents: Math.round(form.price * 100),
        description: form.description ?? '',
        imageIds: images.map((file) => file.id),
        createdBy: user.sub,
      },
      async () => {
        await batch.commit();
      },
    );
    return { url: `/products/${id}`, statusCode: 303 };
  }
}
