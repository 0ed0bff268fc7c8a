import { Transform } from 'class-transformer';
import { IsNotEmpty, IsNumber, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';

function trimmed({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** The text fields of the "new product" form; the images arrive through StagedFiles. */
export class CreateProductDto {
  @Transform(trimmed)
  @IsString({ message: 'Give the product a name.' })
  @IsNotEmpty({ message: 'Give the product a name.' })
  @Length(1, 80, { message: 'The name must be at most 80 characters.' })
  name!: string;

  // Form fields are strings: "12.50" becomes 12.5 here, "" or "abc" becomes NaN and is refused.
  @Transform(({ value }) =>
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value.trim())
        : Number.NaN,
  )
  @IsNumber(
    { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 },
    { message: 'The price must be a number of euros, like 24.90.' },
  )
  @Min(0.01, { message: 'The price must be more than zero.' })
  @Max(100_000, { message: 'The price must be at most 100,000 euros.' })
  price!: number;

  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(2000, { message: 'The description must be at most 2,000 characters.' })
  description?: string;
}
