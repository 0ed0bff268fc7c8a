import { IsString, Length } from 'class-validator';

export class SwitchBusinessDto {
  @IsString()
  @Length(1, 64)
  business_id!: string;
}
